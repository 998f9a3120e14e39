// The fake Lambda control plane: functions whose state and update status change over polls like real Lambda's.
import { createHash } from 'node:crypto';
import { AwsFault, type Reply } from './protocol.js';

export type Architecture = 'x86_64' | 'arm64';

export interface FunctionSeed {
  name: string;
  packageType?: 'Image' | 'Zip';
  architecture?: Architecture;
  /** For Image functions: the image reference it runs (by digest, `repo@sha256:…`). */
  imageUri?: string;
  role?: string;
  memorySize?: number;
  timeout?: number;
  /** Start with someone else's update in flight, finishing after this many status reads. */
  updateInProgressForPolls?: number;
  /** LoggingConfig.LogGroup; Lambda's default is /aws/lambda/<name>. */
  logGroup?: string;
  logFormat?: 'Text' | 'JSON';
  tags?: Record<string, string>;
}

export interface UpdateOutcome {
  status: 'Successful' | 'Failed';
  reason?: string;
  reasonCode?: string;
}

interface Pending {
  pollsLeft: number;
  outcome: UpdateOutcome;
  code?: FakeCode;
}

interface FakeCode {
  RepositoryType: 'ECR' | 'S3';
  ImageUri?: string;
  ResolvedImageUri?: string;
  Location?: string;
}

export interface FakeFunction {
  config: Record<string, unknown> & { FunctionName: string; FunctionArn: string; CodeSha256: string };
  code: FakeCode;
  update?: Pending;
  creation?: Pending;
  versions: Array<Record<string, unknown>>;
  aliases: Map<string, FakeAlias>;
  tags: Record<string, string>;
}

export interface FakeAlias {
  AliasArn: string;
  Name: string;
  FunctionVersion: string;
  Description: string;
  RevisionId: string;
  RoutingConfig?: { AdditionalVersionWeights: Record<string, number> };
}

export interface LambdaBehaviour {
  /** Status reads an update stays InProgress before it settles. */
  updatePolls: number;
  /** Status reads a new function stays Pending before it becomes Active. */
  createPolls: number;
  /** Outcomes for the next updates, consumed in order; Successful when empty. */
  nextUpdateOutcomes: UpdateOutcome[];
  /** The next UpdateFunctionCode calls that meet someone else's update (409), as when two deploys race. */
  conflictingUpdates: number;
}

/**
 * How GetFunction reports an image function's code: `aws` as AWS does (ResolvedImageUri is the pushed
 * digest, CodeSha256 its hex); `emulator` as some AWS emulators do (the reference split at its last ':',
 * so a digest reference resolves to `repo@sha256@sha256:<hash>`, and CodeSha256 hashes the URI string).
 */
export type CodeIdentity = 'aws' | 'emulator';

const DIGEST_URI = /^([^/@\s]+\/[^@:\s]+)@sha256:([0-9a-f]{64})$/;
const TAG_URI = /^([^/@\s]+\/[^@:\s]+):([\w][\w.-]{0,127})$/;

const lastModified = (): string => new Date().toISOString().replace('Z', '+0000');
const revision = (): string => crypto.randomUUID();

export class FakeLambda {
  readonly functions = new Map<string, FakeFunction>();
  readonly behaviour: LambdaBehaviour = FakeLambda.defaultBehaviour();

  static defaultBehaviour(): LambdaBehaviour {
    return { updatePolls: 2, createPolls: 2, nextUpdateOutcomes: [], conflictingUpdates: 0 };
  }

  reset(): void {
    this.functions.clear();
    Object.assign(this.behaviour, FakeLambda.defaultBehaviour());
  }

  constructor(readonly options: { region: string; accountId: string; codeIdentity?: CodeIdentity }) {}

  private imageCode(imageUri: string): FakeCode {
    return this.options.codeIdentity === 'emulator' ? emulatorImageCode(imageUri) : imageCode(imageUri);
  }

  private arn(name: string): string {
    return `arn:aws:lambda:${this.options.region}:${this.options.accountId}:function:${name}`;
  }

  addFunction(seed: FunctionSeed): FakeFunction {
    const packageType = seed.packageType ?? 'Image';
    const code: FakeCode =
      packageType === 'Image'
        ? this.imageCode(
            seed.imageUri ??
              `${this.options.accountId}.dkr.ecr.${this.options.region}.amazonaws.com/${seed.name}@sha256:${'0'.repeat(64)}`,
          )
        : {
            RepositoryType: 'S3',
            Location: `https://awslambda-${this.options.region}-tasks.s3.${this.options.region}.amazonaws.com/snapshots/${seed.name}`,
          };
    const fn: FakeFunction = {
      config: {
        FunctionName: seed.name,
        FunctionArn: this.arn(seed.name),
        Role: seed.role ?? `arn:aws:iam::${this.options.accountId}:role/${seed.name}-role`,
        CodeSize: 0,
        Description: '',
        Timeout: seed.timeout ?? 3,
        MemorySize: seed.memorySize ?? 128,
        LastModified: lastModified(),
        CodeSha256: codeSha(code),
        Version: '$LATEST',
        PackageType: packageType,
        Architectures: [seed.architecture ?? 'x86_64'],
        ...(packageType === 'Zip' ? { Runtime: 'nodejs20.x', Handler: 'index.handler' } : {}),
        State: 'Active',
        LastUpdateStatus: 'Successful',
        RevisionId: revision(),
        LoggingConfig: { LogFormat: seed.logFormat ?? 'Text', LogGroup: seed.logGroup ?? `/aws/lambda/${seed.name}` },
      },
      code,
      versions: [],
      aliases: new Map(),
      tags: { ...seed.tags },
    };
    if (seed.updateInProgressForPolls) {
      fn.update = { pollsLeft: seed.updateInProgressForPolls, outcome: { status: 'Successful' } };
      Object.assign(fn.config, {
        LastUpdateStatus: 'InProgress',
        LastUpdateStatusReason: 'The function is being updated.',
        LastUpdateStatusReasonCode: undefined,
      });
    }
    this.functions.set(seed.name, fn);
    return fn;
  }

  /** Answers one REST operation (method + path), or throws an AwsFault; undefined when the route is unknown. */
  handle(
    method: string,
    segments: string[],
    query: URLSearchParams,
    body: Record<string, unknown>,
  ): { operation: string; run: () => Reply } | undefined {
    if (segments[0] === '2017-03-31' && segments[1] === 'tags' && segments.length === 3)
      return this.tagRoute(method, segments[2]!, query, body);
    // Every other route lives under /2015-03-31/functions.
    if (segments[0] !== '2015-03-31' || segments[1] !== 'functions') return undefined;
    const rest = segments.slice(2);
    const [name, , subName] = rest;
    // The route's shape: parameters replaced by placeholders, e.g. "PUT {name}/aliases/{sub}".
    const route = `${method} ${rest.map((part, i) => (i === 0 ? '{name}' : i === 2 ? '{sub}' : part)).join('/')}`;
    const table: Record<string, [string, () => Reply]> = {
      'POST ': ['CreateFunction', () => this.createFunction(body)],
      'GET {name}': ['GetFunction', () => this.getFunction(name!, query.get('Qualifier'))],
      'GET {name}/configuration': [
        'GetFunctionConfiguration',
        () => ({ status: 200, body: this.readStatus(this.find(name!)).config }),
      ],
      'PUT {name}/code': ['UpdateFunctionCode', () => this.updateFunctionCode(name!, body)],
      'PUT {name}/configuration': ['UpdateFunctionConfiguration', () => this.updateImageConfig(name!, body)],
      'POST {name}/versions': ['PublishVersion', () => this.publishVersion(name!, body)],
      'GET {name}/versions': [
        'ListVersionsByFunction',
        () => ({ status: 200, body: { Versions: [this.find(name!).config, ...this.find(name!).versions] } }),
      ],
      'GET {name}/aliases/{sub}': ['GetAlias', () => this.getAlias(name!, subName!)],
      'POST {name}/aliases': ['CreateAlias', () => this.createAlias(name!, body)],
      'PUT {name}/aliases/{sub}': ['UpdateAlias', () => this.updateAlias(name!, subName!, body)],
      'DELETE {name}/aliases/{sub}': [
        'DeleteAlias',
        () => (this.find(name!).aliases.delete(subName!), { status: 204, body: undefined }),
      ],
    };
    const entry = rest.length <= 3 ? table[route] : undefined;
    return entry && { operation: entry[0], run: entry[1] };
  }

  /** What Invoke runs for `qualifier`: $LATEST's code, a version's, or an alias's (its weighted version by chance). */
  invokeTarget(
    name: string,
    qualifier: string | null,
  ): { fn: FakeFunction; version: string; imageUri: string; command?: string[] } {
    const fn = this.find(name);
    let version = qualifier ?? '$LATEST';
    const alias = fn.aliases.get(version);
    if (alias) {
      const [extra, weight] = Object.entries(alias.RoutingConfig?.AdditionalVersionWeights ?? {})[0] ?? [];
      version = extra !== undefined && Math.random() < (weight ?? 0) ? extra : alias.FunctionVersion;
    }
    const config = version === '$LATEST' ? undefined : fn.versions.find((v) => v.Version === version);
    if (version !== '$LATEST' && !config)
      throw new AwsFault(404, 'ResourceNotFoundException', `Function not found: ${fn.config.FunctionArn}:${version}`);
    const code = config ? (config.Code as FakeCode) : fn.code;
    if (!code.ImageUri)
      throw new AwsFault(400, 'InvalidParameterValueException', 'The fake invokes image functions only');
    const imageConfig = ((config ?? fn.config).ImageConfigResponse as { ImageConfig?: { Command?: string[] } })
      ?.ImageConfig;
    return { fn, version, imageUri: code.ImageUri, command: imageConfig?.Command };
  }

  /** Function name from a name, a full ARN or a partial ARN. */
  private find(nameOrArn: string): FakeFunction {
    const name = nameOrArn.startsWith('arn:')
      ? nameOrArn.split(':')[6]
      : nameOrArn.includes(':')
        ? nameOrArn.split(':').at(-1)!
        : nameOrArn;
    const fn = name === undefined ? undefined : this.functions.get(name);
    if (!fn) throw new AwsFault(404, 'ResourceNotFoundException', `Function not found: ${this.arn(name ?? nameOrArn)}`);
    return fn;
  }

  /** A status read: pending updates and creations move one step closer to settling, as polls do on real Lambda. */
  private readStatus(fn: FakeFunction): FakeFunction {
    if (fn.creation) {
      fn.creation.pollsLeft -= 1;
      if (fn.creation.pollsLeft <= 0) {
        fn.creation = undefined;
        Object.assign(fn.config, {
          State: 'Active',
          StateReason: undefined,
          StateReasonCode: undefined,
          LastUpdateStatus: 'Successful',
        });
      }
    } else if (fn.update) {
      fn.update.pollsLeft -= 1;
      if (fn.update.pollsLeft <= 0) {
        const { outcome, code } = fn.update;
        fn.update = undefined;
        if (outcome.status === 'Successful' && code) {
          fn.code = code;
          fn.config.CodeSha256 = codeSha(code);
        }
        Object.assign(fn.config, {
          LastUpdateStatus: outcome.status,
          LastUpdateStatusReason: outcome.reason,
          LastUpdateStatusReasonCode: outcome.reasonCode,
          LastModified: lastModified(),
          RevisionId: revision(),
        });
      }
    }
    return fn;
  }

  private getFunction(name: string, qualifier: string | null): Reply {
    const fn = this.readStatus(this.find(name));
    let config = fn.config as Record<string, unknown>;
    if (qualifier && qualifier !== '$LATEST') {
      const version = fn.aliases.get(qualifier)?.FunctionVersion ?? qualifier;
      const found = fn.versions.find((v) => v.Version === version);
      if (!found)
        throw new AwsFault(
          404,
          'ResourceNotFoundException',
          `Function not found: ${fn.config.FunctionArn}:${qualifier}`,
        );
      config = found;
    }
    const code = config === fn.config ? fn.code : ((config as { Code?: FakeCode }).Code ?? fn.code);
    return { status: 200, body: { Configuration: { ...config, Code: undefined }, Code: code, Tags: fn.tags } };
  }

  /** TagResource, UntagResource and ListTags on a function ARN. */
  private tagRoute(
    method: string,
    arn: string,
    query: URLSearchParams,
    body: Record<string, unknown>,
  ): { operation: string; run: () => Reply } | undefined {
    const fn = () => this.find(arn);
    if (method === 'GET') return { operation: 'ListTags', run: () => ({ status: 200, body: { Tags: fn().tags } }) };
    if (method === 'POST')
      return {
        operation: 'TagResource',
        run: () => (Object.assign(fn().tags, body.Tags as Record<string, string>), { status: 204, body: undefined }),
      };
    if (method === 'DELETE') {
      return {
        operation: 'UntagResource',
        run: () => {
          const tags = fn().tags;
          for (const key of query.getAll('tagKeys')) delete tags[key];
          return { status: 204, body: undefined };
        },
      };
    }
    return undefined;
  }

  private assertNotBusy(fn: FakeFunction): void {
    if (fn.creation) {
      throw new AwsFault(
        409,
        'ResourceConflictException',
        `The operation cannot be performed at this time. The function is currently in the following state: Pending`,
      );
    }
    if (fn.update) {
      throw new AwsFault(
        409,
        'ResourceConflictException',
        `The operation cannot be performed at this time. An update is in progress for resource: ${fn.config.FunctionArn}`,
      );
    }
  }

  private createFunction(body: Record<string, unknown>): Reply {
    const name = body.FunctionName;
    if (typeof name !== 'string' || !name)
      throw new AwsFault(400, 'InvalidParameterValueException', 'FunctionName is required');
    if (this.functions.has(name))
      throw new AwsFault(409, 'ResourceConflictException', `Function already exist: ${name}`);
    if (typeof body.Role !== 'string' || !body.Role.startsWith('arn:')) {
      throw new AwsFault(
        400,
        'ValidationException',
        `1 validation error detected: Value '${String(body.Role)}' at 'role' failed to satisfy constraint: Member must satisfy regular expression pattern: arn:(aws[a-zA-Z-]*)?:iam::\\d{12}:role/?[a-zA-Z_0-9+=,.@\\-_/]+`,
      );
    }
    const imageUri = (body.Code as { ImageUri?: string } | undefined)?.ImageUri;
    if (body.PackageType !== 'Image' || !imageUri) {
      throw new AwsFault(
        400,
        'InvalidParameterValueException',
        'Please provide ImageUri when creating a function with packageType Image.',
      );
    }
    checkImageUri(imageUri);
    const architectures = body.Architectures as Architecture[] | undefined;
    const fn = this.addFunction({
      name,
      packageType: 'Image',
      architecture: architectures?.[0],
      imageUri,
      role: body.Role,
      memorySize: body.MemorySize as number | undefined,
      timeout: body.Timeout as number | undefined,
    });
    fn.creation = { pollsLeft: this.behaviour.createPolls, outcome: { status: 'Successful' } };
    Object.assign(fn.config, {
      State: 'Pending',
      StateReason: 'The function is being created.',
      StateReasonCode: 'Creating',
      LastUpdateStatus: undefined,
      Environment: body.Environment
        ? { Variables: (body.Environment as { Variables?: unknown }).Variables ?? {} }
        : undefined,
      ImageConfigResponse: body.ImageConfig ? { ImageConfig: body.ImageConfig } : undefined,
    });
    return { status: 201, body: fn.config };
  }

  private updateFunctionCode(name: string, body: Record<string, unknown>): Reply {
    const fn = this.find(name);
    if (this.behaviour.conflictingUpdates > 0) {
      this.behaviour.conflictingUpdates -= 1;
      throw new AwsFault(
        409,
        'ResourceConflictException',
        `The operation cannot be performed at this time. An update is in progress for resource: ${fn.config.FunctionArn}`,
      );
    }
    this.assertNotBusy(fn);
    const imageUri = body.ImageUri;
    if (fn.config.PackageType !== 'Image') {
      throw new AwsFault(
        400,
        'InvalidParameterValueException',
        'Please do not provide ImageUri when updating a function with packageType Zip.',
      );
    }
    if (typeof imageUri !== 'string')
      throw new AwsFault(
        400,
        'InvalidParameterValueException',
        'Please provide ImageUri when updating a function with packageType Image.',
      );
    checkImageUri(imageUri);
    const outcome = this.behaviour.nextUpdateOutcomes.shift() ?? { status: 'Successful' };
    fn.update = { pollsLeft: this.behaviour.updatePolls, outcome, code: this.imageCode(imageUri) };
    Object.assign(fn.config, {
      LastUpdateStatus: 'InProgress',
      LastUpdateStatusReason: 'The function is being created.',
      LastUpdateStatusReasonCode: 'Creating',
      LastModified: lastModified(),
      RevisionId: revision(),
    });
    // The response already names the new code, as real Lambda's does.
    return { status: 200, body: { ...fn.config, CodeSha256: codeSha(fn.update.code!) } };
  }

  /** UpdateFunctionConfiguration, as far as images need it: ImageConfig (Command, EntryPoint, WorkingDirectory). */
  private updateImageConfig(name: string, body: Record<string, unknown>): Reply {
    const fn = this.find(name);
    this.assertNotBusy(fn);
    const unsupported = Object.keys(body).filter((key) => key !== 'ImageConfig');
    if (unsupported.length > 0)
      throw new AwsFault(
        400,
        'InvalidParameterValueException',
        `the fake updates ImageConfig only, not ${unsupported}`,
      );
    fn.update = { pollsLeft: this.behaviour.updatePolls, outcome: { status: 'Successful' }, code: fn.code };
    Object.assign(fn.config, {
      ImageConfigResponse: { ImageConfig: body.ImageConfig },
      LastUpdateStatus: 'InProgress',
      LastModified: lastModified(),
      RevisionId: revision(),
    });
    return { status: 200, body: fn.config };
  }

  private publishVersion(name: string, body: Record<string, unknown>): Reply {
    const fn = this.find(name);
    this.assertNotBusy(fn);
    if (body.CodeSha256 !== undefined && body.CodeSha256 !== fn.config.CodeSha256) {
      throw new AwsFault(
        412,
        'PreconditionFailedException',
        `CodeSHA256 (${String(body.CodeSha256)}) is different from current CodeSHA256 in $LATEST (${fn.config.CodeSha256}). Please try again with the CodeSHA256 in $LATEST.`,
      );
    }
    // Publishing unchanged code returns the latest version instead of a new one.
    const latest = fn.versions.at(-1);
    if (latest && latest.CodeSha256 === fn.config.CodeSha256) return { status: 201, body: latest };
    const number = String(fn.versions.length + 1);
    const version = {
      ...fn.config,
      Version: number,
      FunctionArn: `${fn.config.FunctionArn}:${number}`,
      Description: (body.Description as string | undefined) ?? '',
      Code: { ...fn.code },
    };
    fn.versions.push(version);
    return { status: 201, body: version };
  }

  private aliasNotFound(fn: FakeFunction, alias: string): AwsFault {
    return new AwsFault(404, 'ResourceNotFoundException', `Alias not found: ${fn.config.FunctionArn}:${alias}`);
  }

  private checkVersion(fn: FakeFunction, version: unknown): string {
    if (typeof version !== 'string' || (version !== '$LATEST' && !fn.versions.some((v) => v.Version === version))) {
      throw new AwsFault(
        404,
        'ResourceNotFoundException',
        `Function not found: ${fn.config.FunctionArn}:${String(version)}`,
      );
    }
    return version;
  }

  /** RoutingConfig: one other version with a weight between 0 and 1, as Lambda allows. */
  private setRouting(fn: FakeFunction, alias: FakeAlias, routing: unknown): void {
    if (routing === undefined) return;
    const weights = (routing as { AdditionalVersionWeights?: Record<string, number> }).AdditionalVersionWeights ?? {};
    const entries = Object.entries(weights);
    if (entries.length > 1)
      throw new AwsFault(
        400,
        'InvalidParameterValueException',
        'Number of items in AdditionalVersionWeights cannot be greater than 1',
      );
    for (const [version, weight] of entries) {
      this.checkVersion(fn, version);
      if (!(weight >= 0 && weight <= 1))
        throw new AwsFault(
          400,
          'ValidationException',
          `1 validation error detected: Value '${weight}' at 'routingConfig.additionalVersionWeights' failed to satisfy constraint`,
        );
    }
    alias.RoutingConfig = entries.length ? { AdditionalVersionWeights: weights } : undefined;
  }

  private getAlias(name: string, alias: string): Reply {
    const fn = this.find(name);
    const found = fn.aliases.get(alias);
    if (!found) throw this.aliasNotFound(fn, alias);
    return { status: 200, body: found };
  }

  private createAlias(name: string, body: Record<string, unknown>): Reply {
    const fn = this.find(name);
    const alias = body.Name;
    if (typeof alias !== 'string' || !/^(?!^[0-9]+$)([a-zA-Z0-9-_]+)$/.test(alias)) {
      throw new AwsFault(
        400,
        'ValidationException',
        `1 validation error detected: Value '${String(alias)}' at 'name' failed to satisfy constraint`,
      );
    }
    if (fn.aliases.has(alias))
      throw new AwsFault(409, 'ResourceConflictException', `Alias already exists: ${fn.config.FunctionArn}:${alias}`);
    const created: FakeAlias = {
      AliasArn: `${fn.config.FunctionArn}:${alias}`,
      Name: alias,
      FunctionVersion: this.checkVersion(fn, body.FunctionVersion),
      Description: (body.Description as string | undefined) ?? '',
      RevisionId: revision(),
    };
    this.setRouting(fn, created, body.RoutingConfig);
    fn.aliases.set(alias, created);
    return { status: 201, body: created };
  }

  private updateAlias(name: string, alias: string, body: Record<string, unknown>): Reply {
    const fn = this.find(name);
    const found = fn.aliases.get(alias);
    if (!found) throw this.aliasNotFound(fn, alias);
    if (body.FunctionVersion !== undefined) found.FunctionVersion = this.checkVersion(fn, body.FunctionVersion);
    if (body.Description !== undefined) found.Description = String(body.Description);
    this.setRouting(fn, found, body.RoutingConfig);
    found.RevisionId = revision();
    return { status: 200, body: found };
  }
}

function checkImageUri(imageUri: string): void {
  if (!DIGEST_URI.test(imageUri) && !TAG_URI.test(imageUri)) {
    throw new AwsFault(
      400,
      'InvalidParameterValueException',
      `Source image ${imageUri} is not valid. Provide a valid source image.`,
    );
  }
}

/** Image code as GetFunction shows it: by-digest references resolve to themselves. */
function imageCode(imageUri: string): FakeCode {
  return {
    RepositoryType: 'ECR',
    ImageUri: imageUri,
    ResolvedImageUri: DIGEST_URI.test(imageUri) ? imageUri : undefined,
  };
}

/** Image code as an emulator that does not resolve digests shows it: nothing in it is the pushed digest. */
function emulatorImageCode(imageUri: string): FakeCode {
  const uriHash = createHash('sha256').update(imageUri).digest('hex');
  const repository = imageUri.slice(0, imageUri.lastIndexOf(':'));
  return { RepositoryType: 'ECR', ImageUri: imageUri, ResolvedImageUri: `${repository}@sha256:${uriHash}` };
}

/** For image functions Lambda reports the manifest digest (hex) as CodeSha256. */
function codeSha(code: FakeCode): string {
  const digest = code.ResolvedImageUri && DIGEST_URI.exec(code.ResolvedImageUri)?.[2];
  if (digest) return digest;
  return createHash('sha256')
    .update(code.ImageUri ?? code.Location ?? '')
    .digest('base64');
}
