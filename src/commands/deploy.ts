// `tslambda deploy`: build, push, and point an existing function at the pushed digest (or create it with --create).
import { ExitCode, UserError } from '../cli/errors.js';
import { formatDuration } from '../cli/output.js';
import type { FunctionView } from '../aws/lambda.js';
import type { ResolvedConfig } from '../config/types.js';
import { buildOverrides, withBuildFlags, type BuildFlags } from './build-flags.js';
import { defineCommand, type CommandContext } from './types.js';
import { SMOKE_FLAG, TAIL_FLAG } from './deploy-smoke.js';

interface DeployFlags extends BuildFlags {
  create: boolean;
  role?: string;
  publish?: boolean;
  alias?: string;
  'dry-run': boolean;
  'push-anyway': boolean;
  'wait-timeout': number;
  smoke?: string;
  tail: boolean;
}

const shellQuote = (value: string) => (/^[\w@%+=:,./-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`);

/** The exact AWS CLI command that creates the function tslambda would deploy to. */
export function createFunctionCommand(config: ResolvedConfig, region: string, imageUri: string): string {
  const args = [
    'aws lambda create-function',
    `--function-name ${shellQuote(config.functionName)}`,
    '--package-type Image',
    `--code ImageUri=${shellQuote(imageUri)}`,
    '--role <execution-role-arn>',
    `--architectures ${config.architecture}`,
    `--memory-size ${config.memorySize}`,
    `--timeout ${config.timeout}`,
    `--region ${region}`,
  ];
  return args.join(' ');
}

/** Refuses functions this image cannot replace, before anything is built. */
function checkCompatible(fn: FunctionView, config: ResolvedConfig): void {
  if (fn.packageType === 'Zip') {
    throw new UserError(`function ${fn.name} is packaged as a Zip archive; tslambda deploys container images`, {
      exitCode: ExitCode.functionIncompatible,
      hint: 'a function cannot change its package type: set "functionName" to a new function and deploy with --create --role <arn>',
      details: { function: fn.name, packageType: fn.packageType },
    });
  }
  if (fn.architecture !== config.architecture) {
    throw new UserError(`function ${fn.name} runs on ${fn.architecture}, but the image is built for ${config.architecture}`, {
      exitCode: ExitCode.functionIncompatible,
      hint: `set "architecture": "${fn.architecture}" in the config (or pass --architecture ${fn.architecture})`,
      details: { function: fn.name, functionArchitecture: fn.architecture, imageArchitecture: config.architecture },
    });
  }
}

export const deployCommand = defineCommand<DeployFlags>({
  command: 'deploy',
  describe: 'Build, push to ECR and update the existing function to the pushed digest',
  examples: [
    ['$0 deploy', 'build, push, update the function; skips the update when it already runs this image'],
    ['$0 deploy --publish --alias live', 'publish a version and point the alias "live" at it'],
    ['$0 deploy --create --role arn:aws:iam::123456789012:role/fn-exec', 'create the function when it does not exist'],
    ['$0 deploy --dry-run', 'show what would happen without pushing or updating'],
  ],
  builder: (yargs) =>
    withBuildFlags(yargs)
      .option('create', { type: 'boolean', default: false, describe: 'Create the function when it does not exist (needs --role)' })
      .option('role', { type: 'string', describe: 'Execution role ARN for --create', requiresArg: true })
      .option('publish', { type: 'boolean', describe: 'Publish a version after the update (config "publish")' })
      .option('alias', { type: 'string', describe: 'Point this alias at the published version, creating it if missing (implies --publish)', requiresArg: true })
      .option('dry-run', { type: 'boolean', default: false, describe: 'Resolve everything and print the plan; push and update nothing' })
      .option('push-anyway', { type: 'boolean', default: false, describe: 'Push the image even when the function does not exist' })
      .option('wait-timeout', { type: 'number', default: 300, describe: 'Seconds to wait for Lambda to finish an update' })
      .option('smoke', SMOKE_FLAG)
      .option('tail', TAIL_FLAG)
      .check((argv) => {
        if (argv.create && !argv.role) throw new Error('--create needs --role <execution-role-arn>');
        if (!(argv['wait-timeout'] > 0)) throw new Error('--wait-timeout must be a positive number of seconds');
        return true;
      })
      .group(['create', 'role', 'publish', 'alias', 'dry-run', 'push-anyway', 'wait-timeout', 'smoke', 'tail'], 'Deploy options:') as never,
  async handler(args, ctx) {
    const started = performance.now();
    const config = await ctx.loadConfig({
      ...buildOverrides(args, ctx.env),
      ...(args.publish !== undefined ? { publish: args.publish } : {}),
      ...(args.alias !== undefined ? { alias: args.alias } : {}),
    });
    await deploy(args, ctx, config, started);
  },
});

async function deploy(args: DeployFlags, ctx: CommandContext, config: ResolvedConfig, started: number): Promise<void> {
  // The AWS SDK and the push machinery load only for commands that talk to AWS.
  const release = await import('./release.js');
  const lambdaApi = await import('../aws/lambda.js');
  const { findRepository } = await import('../aws/ecr.js');
  const { out } = ctx;
  const target = await release.connectAws(config, ctx.signal);
  const { lambda, ecr } = target.clients;
  const name = config.functionName;
  const publish = config.publish || config.alias !== undefined;
  const waitOptions = { waitTimeoutSeconds: args['wait-timeout'], signal: ctx.signal };

  // Before anything is built: does the function exist, and can this image replace its code?
  const [existing, tagChoice] = await Promise.all([
    out.step(`Checking function ${name} in ${target.region}`, () => lambdaApi.getFunction(lambda, name)),
    release.chooseTag(config, ctx),
  ]);
  const { tag } = tagChoice;
  if (existing) checkCompatible(existing, config);

  if (args['dry-run']) {
    const repository = await findRepository(ecr, config.repository);
    const plan = {
      function: existing ? { name, arn: existing.arn, architecture: existing.architecture, imageUri: existing.resolvedImageUri ?? existing.imageUri } : { name, exists: false },
      repository: repository ? repository.uri : `${config.repository} (${config.createRepository ? 'would be created' : 'missing'})`,
      image: `${repository?.uri ?? config.repository}:${tag}`,
      actions: [
        'build',
        'push',
        existing ? 'update the function code unless it already runs the pushed digest' : args.create ? 'create the function' : 'stop: the function does not exist',
        ...(publish ? ['publish a version'] : []),
        ...(config.alias ? [`point alias ${config.alias} at it`] : []),
        ...(args.smoke !== undefined ? ['invoke it once with the smoke event; roll back if it fails'] : []),
        ...(args.tail ? ['follow its logs until Ctrl-C'] : []),
      ],
    };
    out.result(
      [`Plan for ${name} (${target.region}), nothing changed:`, `  image       ${plan.image}`, `  repository  ${plan.repository}`, `  function    ${existing ? `${existing.arn} (${existing.architecture}, runs ${plan.function.imageUri ?? 'unknown'})` : 'does not exist'}`, ...plan.actions.map((a, i) => `  ${i + 1}. ${a}`)].join('\n'),
      { ok: true, dryRun: true, region: target.region, ...plan },
    );
    return;
  }

  if (!existing && !args.create && !args['push-anyway']) {
    const repository = await findRepository(ecr, config.repository);
    const imageUri = `${repository?.uri ?? `<account>.dkr.ecr.${target.region}.amazonaws.com/${config.repository}`}:${tag}`;
    throw functionMissing(config, target.region, imageUri, false);
  }

  const repository = await release.repositoryStep(ctx, config, target);
  const image = await release.releaseBuild(ctx, config, args, tag);
  const pushed = await release.pushStep(ctx, config, target, repository, image, tag);
  if (!existing && !args.create) throw functionMissing(config, target.region, pushed.imageUri, true);

  let fn: FunctionView;
  let changed = true;
  if (!existing) {
    fn = await out.step(`Creating function ${name}`, (update) =>
      lambdaApi.createFunction(lambda, { name, role: args.role!, imageUri: pushed.imageUri, architecture: config.architecture, memorySize: config.memorySize, timeout: config.timeout, environment: config.environment }, { ...waitOptions, onStatus: update }),
    );
  } else if (lambdaApi.runsImage(existing, pushed)) {
    changed = false;
    fn = existing;
    out.info(`${name} is up to date: it already runs ${pushed.digest}`);
  } else {
    fn = await out.step(`Updating ${name} to ${pushed.digest.slice(0, 19)}`, (update) => lambdaApi.updateFunctionImage(lambda, existing, pushed.imageUri, { ...waitOptions, onStatus: update }));
  }

  let version: { version: string; arn: string } | undefined;
  let alias: { arn: string; created: boolean; previousVersion?: string } | undefined;
  if (publish) {
    // Publishing unchanged code returns the existing version, so a rerun also repairs a half-done alias.
    // Guarded by the CodeSha256 the function reported for this image (emulators do not use the digest).
    version = await out.step(`Publishing a version of ${name}`, () => lambdaApi.publishVersion(lambda, name, fn.codeSha256 ?? pushed.digest.replace(/^sha256:/, '')));
    if (config.alias) {
      const aliasName = config.alias;
      alias = await out.step(`Pointing alias ${aliasName} at version ${version.version}`, () => lambdaApi.pointAlias(lambda, name, aliasName, version!.version));
    }
  }

  const aliasMove = alias && version && config.alias ? { name: config.alias, previousVersion: alias.previousVersion, version: version.version, created: alias.created } : undefined;
  if (args.smoke !== undefined) {
    const { smokeStep } = await import('./deploy-smoke.js');
    await smokeStep(ctx, lambda, args.smoke, { name, functionArn: fn.arn, before: changed ? existing : undefined, image: pushed.imageUri, alias: aliasMove, version: version?.version }, waitOptions);
  }
  // What this deploy replaced, kept as tags on the function for `tslambda rollback`.
  const { recordReplaced } = await import('../pipeline/record.js');
  await recordReplaced(lambda, { before: existing, changed, functionArn: fn.arn, alias: aliasMove });

  const took = performance.now() - started;
  const status = !existing ? 'created' : changed ? 'updated' : 'up to date';
  out.result(
    [
      `${status === 'up to date' ? 'Up to date' : status === 'created' ? 'Created' : 'Deployed'} ${name}`,
      `  function   ${fn.arn}`,
      `  region     ${target.region}`,
      ...(version ? [`  version    ${version.version} (${version.arn})`] : []),
      ...(alias ? [`  alias      ${alias.arn}${alias.created ? ' (created)' : ''}`] : []),
      `  digest     ${pushed.digest}`,
      `  image uri  ${pushed.imageUri}`,
      `  took       ${formatDuration(took)}`,
    ].join('\n'),
    {
      ok: true,
      status,
      function: name,
      functionArn: fn.arn,
      region: target.region,
      version: version?.version,
      versionArn: version?.arn,
      aliasArn: alias?.arn,
      digest: pushed.digest,
      imageUri: pushed.imageUri,
      durationMs: Math.round(took),
    },
  );
  if (args.tail) {
    const { printLogs } = await import('./logs.js');
    await printLogs(ctx, { functionName: name, region: target.region, profile: config.profile }, { follow: true, qualifier: version?.version });
  }
}

function functionMissing(config: ResolvedConfig, region: string, imageUri: string, pushed: boolean): UserError {
  const command = createFunctionCommand(config, region, imageUri);
  return new UserError(`function ${config.functionName} does not exist in ${region}; tslambda updates existing functions only${pushed ? ` (the image was pushed: ${imageUri})` : ''}`, {
    exitCode: ExitCode.functionNotFound,
    hint: `create it with\n  ${command}\nor run \`tslambda deploy --create --role <execution-role-arn>\``,
    details: { function: config.functionName, region, imageUri, pushed, createCommand: command },
  });
}
