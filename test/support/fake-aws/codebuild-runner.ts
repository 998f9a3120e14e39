// Runs one fake CodeBuild build for real: fetches the S3 source bundle, unzips it, and runs the buildspec's phases
// (install, pre_build, build, post_build) with bash against the machine's Docker engine, with the variables CodeBuild
// sets; CodeBuild-style lines go to the fake CloudWatch Logs, phases and status to the build's BatchGetBuilds view.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FakeLogs } from './logs.js';
import type { FakeS3 } from './s3.js';
import type { TestCredentials } from './sigv4.js';

export interface RunnerContext {
  region: string;
  accountId: string;
  credentials: TestCredentials;
  /** The fake's own URL: the build's `aws` CLI calls it (AWS_ENDPOINT_URL), as a real build calls AWS. */
  endpoint: () => string;
  s3: FakeS3;
  logs: FakeLogs;
}

export interface BuildSpecInput {
  project: string;
  number: number;
  sourceLocation: string;
  environment: { type: string; image: string; computeType: string; privilegedMode: boolean };
  variables: Record<string, string>;
  buildspecOverride?: string;
}

interface Phase {
  phaseType: string;
  phaseStatus?: string;
  startTime: number;
  endTime?: number;
  durationInSeconds?: number;
  contexts?: Array<{ statusCode: string; message: string }>;
}

export interface BuildRecord {
  /** What BatchGetBuilds answers, kept up to date while the build runs. */
  view: {
    id: string;
    arn: string;
    projectName: string;
    buildNumber: number;
    startTime: number;
    endTime?: number;
    currentPhase: string;
    buildStatus: 'IN_PROGRESS' | 'SUCCEEDED' | 'FAILED' | 'STOPPED';
    buildComplete: boolean;
    phases: Phase[];
    source: { type: 'S3'; location: string };
    environment: BuildSpecInput['environment'] & {
      environmentVariables: Array<{ name: string; value: string; type: string }>;
    };
    logs: { groupName: string; streamName: string; deepLink: string };
    exportedEnvironmentVariables?: Array<{ name: string; value: string }>;
    initiator: string;
  };
  /** Every bash process the build started, for tests that check a stop killed them. */
  shells: ChildProcess[];
  stop(): void;
  done: Promise<void>;
}

const COMMAND_PHASES = ['INSTALL', 'PRE_BUILD', 'BUILD', 'POST_BUILD'] as const;
const now = () => Date.now() / 1000;
const stamp = () => new Date().toISOString().replace('T', ' ').replace(/-/g, '/').replace('Z', '');
const shellWord = (text: string) => `'${text.replace(/'/g, `'\\''`)}'`;
/** js-yaml comes with cosmiconfig; loaded untyped, its answer checked where it is read. */
const parseYaml = (text: string): unknown =>
  (createRequire(import.meta.url)('js-yaml') as { load: (t: string) => unknown }).load(text);

/** The `aws` CLI's folder: the build's PATH starts with it, as CodeBuild's standard images carry the CLI. */
const awsCliDir = () =>
  [...(process.env.PATH ?? '').split(':'), join(homedir(), '.pyenv', 'shims')].find(
    (dir) => dir && existsSync(join(dir, 'aws')),
  ) ?? '/usr/bin';

export function runBuild(ctx: RunnerContext, input: BuildSpecInput): BuildRecord {
  const uuid = crypto.randomUUID();
  const id = `${input.project}:${uuid}`;
  const group = `/aws/codebuild/${input.project}`;
  const view: BuildRecord['view'] = {
    id,
    arn: `arn:aws:codebuild:${ctx.region}:${ctx.accountId}:build/${id}`,
    projectName: input.project,
    buildNumber: input.number,
    startTime: now(),
    currentPhase: 'SUBMITTED',
    buildStatus: 'IN_PROGRESS',
    buildComplete: false,
    phases: [],
    source: { type: 'S3', location: input.sourceLocation },
    environment: {
      ...input.environment,
      environmentVariables: Object.entries(input.variables).map(([name, value]) => ({
        name,
        value,
        type: 'PLAINTEXT',
      })),
    },
    logs: {
      groupName: group,
      streamName: uuid,
      deepLink: `https://console.aws.amazon.com/cloudwatch/home?region=${ctx.region}#logEvent:group=${group};stream=${uuid}`,
    },
    initiator: 'tslambda-test',
  };
  const record: BuildRecord = { view, shells: [], stop: () => undefined, done: Promise.resolve() };
  let stopped = false;
  record.stop = () => {
    stopped = true;
    // The whole process group: bash and the docker CLI it runs. A group that ended since its exit was last seen is
    // gone already (ESRCH): there is nothing left to stop.
    for (const shell of record.shells) {
      if (shell.exitCode !== null || !shell.pid) continue;
      try {
        process.kill(-shell.pid, 'SIGKILL');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
      }
    }
  };
  const log = (line: string) => ctx.logs.append(group, uuid, `${line}\n`);
  const container = (text: string) => log(`[Container] ${stamp()} ${text}`);
  const enter = (phaseType: string) => {
    view.currentPhase = phaseType;
    const phase: Phase = { phaseType, startTime: now() };
    view.phases.push(phase);
    return phase;
  };
  const end = (phase: Phase, status: string, context?: { statusCode: string; message: string }) => {
    phase.phaseStatus = status;
    phase.endTime = now();
    phase.durationInSeconds = Math.round(phase.endTime - phase.startTime);
    if (context) phase.contexts = [context];
    if (COMMAND_PHASES.includes(phase.phaseType as (typeof COMMAND_PHASES)[number]))
      container(`Phase complete: ${phase.phaseType} State: ${status}`);
    if (context) container(`Phase context status code: ${context.statusCode} Message: ${context.message}`);
  };

  const run = async () => {
    const work = await mkdtemp(join(tmpdir(), 'fake-codebuild-'));
    const src = join(work, 'src');
    try {
      for (const phaseType of ['SUBMITTED', 'QUEUED', 'PROVISIONING']) end(enter(phaseType), 'SUCCEEDED');
      const download = enter('DOWNLOAD_SOURCE');
      const spec = await fetchSource(ctx, input, work, src).catch((error: Error) => error);
      if (spec instanceof Error) {
        end(download, 'FAILED', { statusCode: 'CLIENT_ERROR', message: spec.message });
        view.buildStatus = 'FAILED';
        return;
      }
      end(download, 'SUCCEEDED');
      const envFile = join(work, 'env.sh');
      await writeInitialEnvironment(ctx, input, view, work, src, envFile, spec);
      let failed = false;
      for (const phaseType of COMMAND_PHASES) {
        // A failed install or pre_build skips to the end; post_build still runs after a failed build, as in CodeBuild.
        if (stopped || (failed && phaseType !== 'POST_BUILD')) break;
        const commands = spec.phases[phaseType.toLowerCase()] ?? [];
        const phase = enter(phaseType);
        container(`Entering phase ${phaseType}`);
        const outcome = await runPhase(record, envFile, src, commands, log, container, failed);
        if (stopped) {
          end(phase, 'STOPPED');
          break;
        }
        if (outcome) {
          failed = true;
          end(phase, 'FAILED', { statusCode: 'COMMAND_EXECUTION_ERROR', message: outcome });
        } else end(phase, 'SUCCEEDED');
      }
      view.buildStatus = stopped ? 'STOPPED' : failed ? 'FAILED' : 'SUCCEEDED';
      if (view.buildStatus === 'SUCCEEDED') view.exportedEnvironmentVariables = exported(envFile, spec.exported);
    } finally {
      for (const phaseType of ['UPLOAD_ARTIFACTS', 'FINALIZING']) end(enter(phaseType), 'SUCCEEDED');
      if (view.buildStatus === 'IN_PROGRESS') view.buildStatus = 'FAILED';
      view.currentPhase = 'COMPLETED';
      view.phases.push({ phaseType: 'COMPLETED', startTime: now() });
      view.endTime = now();
      view.buildComplete = true;
      await rm(work, { recursive: true, force: true });
    }
  };
  record.done = run();
  return record;
}

interface Buildspec {
  phases: Record<string, string[]>;
  variables: Record<string, string>;
  exported: string[];
}

/** DOWNLOAD_SOURCE: the zip from the fake S3, unzipped with Info-ZIP's unzip; the buildspec read from it. */
async function fetchSource(ctx: RunnerContext, input: BuildSpecInput, work: string, src: string): Promise<Buildspec> {
  const slash = input.sourceLocation.indexOf('/');
  const [bucket, key] = [input.sourceLocation.slice(0, slash), input.sourceLocation.slice(slash + 1)];
  const object = ctx.s3.object(bucket, key);
  if (!object) throw new Error(`NoSuchKey: s3://${bucket}/${key} does not exist`);
  await writeFile(join(work, 'source.zip'), object.body);
  await mkdir(src);
  const unzip = spawnSync('unzip', ['-q', join(work, 'source.zip'), '-d', src], { encoding: 'utf8' });
  if (unzip.status !== 0) throw new Error(`the source is not a zip CodeBuild can extract: ${unzip.stderr.trim()}`);
  const path = input.buildspecOverride ?? 'buildspec.yml';
  const text = await readFile(join(src, path), 'utf8').catch(() => {
    throw new Error(`YAML_FILE_ERROR: ${path} does not exist in the source`);
  });
  const parsed = parseYaml(text) as {
    version?: unknown;
    env?: { variables?: Record<string, string>; 'exported-variables'?: string[] };
    phases?: Record<string, { commands?: string[] }>;
  };
  if (parsed?.version !== 0.2) throw new Error(`YAML_FILE_ERROR: version ${String(parsed?.version)} is not 0.2`);
  const phases = Object.fromEntries(Object.entries(parsed.phases ?? {}).map(([name, p]) => [name, p.commands ?? []]));
  return { phases, variables: parsed.env?.variables ?? {}, exported: parsed.env?.['exported-variables'] ?? [] };
}

/** The variables CodeBuild sets, then the project's and StartBuild's, then the buildspec's `env.variables`. */
async function writeInitialEnvironment(
  ctx: RunnerContext,
  input: BuildSpecInput,
  view: BuildRecord['view'],
  work: string,
  src: string,
  envFile: string,
  spec: Buildspec,
): Promise<void> {
  await mkdir(join(work, 'home'));
  await mkdir(join(work, 'docker-config'));
  const variables: Record<string, string> = {
    PATH: `${awsCliDir()}:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin`,
    HOME: join(work, 'home'),
    ...(process.env.DOCKER_HOST ? { DOCKER_HOST: process.env.DOCKER_HOST } : {}),
    // `docker login` writes here, not to the test machine's own config.
    DOCKER_CONFIG: join(work, 'docker-config'),
    CODEBUILD_BUILD_ID: view.id,
    CODEBUILD_BUILD_ARN: view.arn,
    CODEBUILD_BUILD_NUMBER: String(view.buildNumber),
    CODEBUILD_BUILD_IMAGE: input.environment.image,
    CODEBUILD_BUILD_SUCCEEDING: '1',
    CODEBUILD_INITIATOR: view.initiator,
    CODEBUILD_LOG_PATH: view.logs.streamName,
    CODEBUILD_PROJECT_NAME: input.project,
    CODEBUILD_SOURCE_VERSION: `arn:aws:s3:::${input.sourceLocation}`,
    CODEBUILD_SRC_DIR: src,
    CODEBUILD_START_TIME: String(Math.round(view.startTime * 1000)),
    AWS_REGION: ctx.region,
    AWS_DEFAULT_REGION: ctx.region,
    // A real build gets its service role's credentials from the container endpoint; here the fake's test keys.
    AWS_ACCESS_KEY_ID: ctx.credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: ctx.credentials.secretAccessKey,
    AWS_ENDPOINT_URL: ctx.endpoint(),
    AWS_CONFIG_FILE: '/dev/null',
    AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    ...input.variables,
    ...spec.variables,
  };
  const lines = Object.entries(variables).map(([name, value]) => `export ${name}=${shellWord(String(value))}`);
  await writeFile(envFile, `${lines.join('\n')}\n`);
}

/** One phase in one bash: each command in turn, stopping at the first that fails; the environment carries over. */
async function runPhase(
  record: BuildRecord,
  envFile: string,
  src: string,
  commands: string[],
  log: (line: string) => void,
  container: (text: string) => void,
  buildFailed: boolean,
): Promise<string | undefined> {
  const script = [
    `source ${shellWord(envFile)}`,
    `cd "$CODEBUILD_SRC_DIR"`,
    ...(buildFailed ? ['export CODEBUILD_BUILD_SUCCEEDING=0'] : []),
    ...commands.flatMap((command, index) => [
      `printf '[Container] %s Running command %s\\n' "$(date -u '+%Y/%m/%d %H:%M:%S.%6N')" ${shellWord(command)}`,
      command,
      `__status=$?; if [ $__status -ne 0 ]; then export -p > ${shellWord(envFile)}; echo "tslambda-fake-failed ${index} $__status" >&3; exit $__status; fi`,
    ]),
    `export -p > ${shellWord(envFile)}`,
  ].join('\n');
  // --norc: with sockets for stdio, bash would take itself for a remote shell and read the machine's ~/.bashrc.
  const shell = spawn('bash', ['--norc', '-c', script], {
    cwd: src,
    env: {},
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
  });
  record.shells.push(shell);
  let failure: string | undefined;
  shell.stdio[3]!.on('data', (chunk: Buffer) => {
    const [, index, status] = /tslambda-fake-failed (\d+) (\d+)/.exec(chunk.toString()) ?? [];
    if (index !== undefined)
      failure = `Error while executing command: ${commands[Number(index)]}. Reason: exit status ${status}`;
  });
  const lines = (stream: NodeJS.ReadableStream) => {
    let rest = '';
    stream.on('data', (chunk: Buffer) => {
      const parts = (rest + chunk.toString()).split('\n');
      rest = parts.pop()!;
      for (const part of parts) log(part);
    });
    stream.on('end', () => rest && log(rest));
  };
  lines(shell.stdout!);
  lines(shell.stderr!);
  const code = await new Promise<number | null>((resolve) => shell.on('close', resolve));
  if (failure) container(`Command did not exit successfully with exit status ${code}`);
  return failure ?? (code === 0 ? undefined : `Error while executing commands. Reason: exit status ${code}`);
}

/** `env.exported-variables`: their values at the end of the build. */
function exported(envFile: string, names: string[]): Array<{ name: string; value: string }> {
  const result = spawnSync(
    'bash',
    // biome-ignore lint/suspicious/noTemplateCurlyInString: bash's indirect expansion, not a template
    ['--norc', '-c', 'source "$1"; shift; for n; do printf "%s\\0" "${!n}"; done', '_', envFile, ...names],
    {
      encoding: 'utf8',
      env: {},
    },
  );
  const values = result.stdout.split('\0');
  return names.map((name, i) => ({ name, value: values[i] ?? '' }));
}
