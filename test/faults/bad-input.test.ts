// Bad input for every option of the table (src/config/options.ts): each config key in lambda.config.json and each
// flag on a command that takes it. Every case ends with the documented exit code (2, usage), a line naming the key or
// flag with what it expects (or a hint saying what to do), no stack, and nothing written. The table below is keyed by
// option: a new option without a bad-input case fails to compile, and the first test fails too.
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type OptionId, optionEntries } from '../../src/config/options.js';
import { ExitCode } from '../../src/core/errors.js';
import { BASE_IMAGE } from '../support/docker.js';
import { runCli } from '../support/run-cli.js';
import { makeProject } from '../support/temp-project.js';

interface BadInput {
  /** The command line; a config case runs `build` over the config given. */
  args?: string[];
  /** Keys laid over a valid lambda.config.json. */
  config?: Record<string, unknown>;
  /** A line of the output that names the key or flag and the problem. */
  line: RegExp;
}

const INIT_INTO = 'new-fn';
const config = (key: string, value: unknown, expected = 'expected'): BadInput => ({
  config: { [key]: value },
  // A problem inside an object names its path: buildArgs.A, program.command.
  line: new RegExp(`^  ${key}(\\.\\w+)?: ${expected}`),
});
const flag = (args: string[], name: string, expected = 'expected'): BadInput => ({
  args,
  line: new RegExp(`^  --${name}: ${expected}`),
});
const switchWithValue = (command: string, name: string, ...rest: string[]): BadInput =>
  flag([command, ...rest, `--${name}=maybe`], name, 'is a switch and takes no value, found "maybe"');

const BAD: { [K in OptionId]: BadInput[] } = {
  configFile: [
    {
      args: ['build', '--config', '/missing/lambda.json'],
      line: /^error: config file not found: \/missing\/lambda\.json$/,
    },
    flag(['build', '--config='], 'config'),
  ],
  cwd: [{ args: ['build', '--cwd', '/missing/folder'], line: /^error: --cwd \/missing\/folder: no such folder$/ }],
  functionName: [config('functionName', 'bad name!')],
  region: [config('region', 'mars'), flag(['build', '--region', 'mars'], 'region')],
  profile: [config('profile', ''), flag(['build', '--profile', ''], 'profile')],
  json: [switchWithValue('build', 'json')],
  verbose: [switchWithValue('build', 'verbose')],
  quiet: [switchWithValue('build', 'quiet')],
  color: [switchWithValue('build', 'color')],
  repository: [config('repository', 'Upper_Case')],
  tag: [config('tag', 'bad:tag'), flag(['build', '--tag', 'bad:tag'], 'tag')],
  context: [config('context', '')],
  dockerfile: [
    config('dockerfile', ''),
    {
      args: ['build', '--dockerfile', '/missing/Dockerfile'],
      line: /^error: dockerfile not found: \/missing\/Dockerfile$/,
    },
  ],
  handler: [config('handler', 'index')],
  architecture: [config('architecture', 'arm'), flag(['build', '--architecture', 'arm'], 'architecture')],
  baseImage: [config('baseImage', ''), flag(['build', '--base-image', ''], 'base-image')],
  buildArgs: [
    config('buildArgs', { A: 1 }),
    { args: ['build', '--build-arg', '=x'], line: /^error: --build-arg "=x" has no name$/ },
  ],
  labels: [config('labels', { version: 2 })],
  target: [config('target', ''), flag(['build', '--target', ''], 'target')],
  environment: [config('environment', { '1BAD': 'x' })],
  memorySize: [config('memorySize', 1)],
  timeout: [config('timeout', 0)],
  alias: [config('alias', '123'), flag(['deploy', '--alias', '123'], 'alias')],
  publish: [config('publish', 'yes'), switchWithValue('deploy', 'publish')],
  createRepository: [config('createRepository', 'yes')],
  imageTagMutability: [config('imageTagMutability', 'mutable')],
  external: [config('external', 'aws-sdk')],
  program: [config('program', { command: [] })],
  cache: [switchWithValue('build', 'cache')],
  pull: [switchWithValue('build', 'pull')],
  typecheck: [switchWithValue('bundle', 'typecheck')],
  bundle: [switchWithValue('build', 'bundle')],
  create: [switchWithValue('deploy', 'create')],
  role: [flag(['deploy', '--create', '--role', 'my-role'], 'role', 'expected an IAM role ARN')],
  dryRun: [switchWithValue('deploy', 'dry-run')],
  pushAnyway: [switchWithValue('deploy', 'push-anyway')],
  waitTimeout: [flag(['deploy', '--wait-timeout', '-1'], 'wait-timeout')],
  smoke: [{ args: ['deploy', '--smoke', '{not json'], line: /^error: --smoke event is not valid JSON: / }],
  tail: [switchWithValue('deploy', 'tail')],
  follow: [switchWithValue('logs', 'follow')],
  since: [{ args: ['logs', '--since', 'yesterdayish'], line: /^error: --since yesterdayish is not a duration/ }],
  filter: [flag(['logs', '--filter', ''], 'filter')],
  qualifier: [flag(['logs', '--qualifier', 'bad q!'], 'qualifier')],
  to: [flag(['rollback', '--to', 'yesterday'], 'to')],
  env: [{ args: ['invoke-local', '--env', '=x'], line: /^error: --env "=x" has no name$/ }],
  envFile: [
    { args: ['invoke-local', '--env-file', '/missing.env'], line: /^error: cannot read --env-file \/missing\.env: / },
  ],
  passAwsCredentials: [switchWithValue('invoke-local', 'pass-aws-credentials')],
  serve: [flag(['invoke-local', '--serve', '99999'], 'serve')],
  concurrency: [flag(['invoke-local', '--serve', '9000', '--concurrency', '0'], 'concurrency')],
  docker: [switchWithValue('invoke-local', 'docker')],
  event: [{ args: ['invoke-local', '--event', '/missing.json'], line: /^error: cannot read the event file / }],
  data: [{ args: ['invoke-local', '--data', '{not json'], line: /^error: the event from --data is not valid JSON/ }],
  build: [switchWithValue('invoke-local', 'build')],
  image: [flag(['invoke-local', '--image', ''], 'image')],
  repeat: [flag(['invoke-local', '--repeat', '0'], 'repeat'), flag(['invoke-local', '--repeat', 'many'], 'repeat')],
  watch: [switchWithValue('invoke-local', 'watch')],
  outDir: [flag(['bundle', '--out-dir', ''], 'out-dir')],
  initDir: [{ args: ['init', 'index.js'], line: /^error: cannot create the function in index\.js: it is a file/ }],
  initName: [{ args: ['init', INIT_INTO, '--name', 'bad name!'], line: /^error: --name "bad name!": expected / }],
  initArchitecture: [flag(['init', INIT_INTO, '--architecture', 'arm'], 'architecture')],
  initBaseImage: [flag(['init', INIT_INTO, '--base-image', ''], 'base-image')],
  initDockerfile: [switchWithValue('init', 'dockerfile', INIT_INTO)],
  initForce: [switchWithValue('init', 'force', INIT_INTO)],
  // Engines, layers, projects, remote builds, canaries, promotion and the local fronts (issues 12, 13, 15, 16).
  dockerContext: [config('dockerContext', ''), flag(['build', '--docker-context', ''], 'docker-context')],
  layers: [
    {
      config: { layers: ['arn:aws:lambda:eu-west-1:123456789012:layer:x'] },
      line: /^ {2}layers\[0\]: expected a layer version ARN/,
    },
  ],
  functions: [
    { config: { functions: { api: { memorySize: 1 } } }, line: /^ {2}functions\.api\.memorySize: expected / },
  ],
  regions: [
    { config: { regions: ['mars'] }, line: /^ {2}regions\[0\]: expected an AWS region/ },
    flag(['build', '--region', 'eu-west-1,mars'], 'region'),
  ],
  names: [{ args: ['deploy', 'nosuchfn'], line: /^error: no function named nosuchfn in this project/ }],
  all: [switchWithValue('build', 'all')],
  initFunction: [
    { args: ['init', '--function', 'bad name!'], line: /^error: --function "bad name!" is not a function name$/ },
  ],
  targetConcurrency: [flag(['deploy', '--concurrency', '0'], 'concurrency')],
  builder: [config('builder', { type: 'cloud' })],
  builderType: [flag(['deploy', '--builder', 'cloud'], 'builder')],
  createBuilder: [switchWithValue('deploy', 'create-builder')],
  canary: [flag(['deploy', '--canary', '150%'], 'canary')],
  bake: [flag(['deploy', '--alias', 'live', '--canary', '10%', '--bake', 'forever'], 'bake')],
  maxErrorRate: [flag(['deploy', '--alias', 'live', '--canary', '10%', '--max-error-rate', '2'], 'max-error-rate')],
  targets: [{ config: { targets: { prod: { region: 'mars' } } }, line: /^ {2}targets\.prod\.region: expected / }],
  deployImage: [flag(['deploy', '--image', ''], 'image')],
  promoteFrom: [
    {
      args: ['deploy', '--image', 'x', '--from', 'nowhere'],
      line: /^error: --from nowhere: no such target in the config$/,
    },
  ],
  promoteTo: [
    {
      config: { targets: { a: { region: 'eu-west-1' } } },
      args: ['promote', '--from', 'a', '--to', 'b'],
      line: /^error: --to b: no such target in the config$/,
    },
  ],
  promoteNames: [
    {
      config: { targets: { a: { region: 'eu-west-1' }, b: { region: 'eu-west-1' } } },
      args: ['promote', 'nosuchfn', '--from', 'a', '--to', 'b'],
      line: /^error: unknown function nosuchfn: /,
    },
  ],
  http: [flag(['invoke-local', '--http', '99999'], 'http')],
  httpFormat: [flag(['invoke-local', '--http', '3000', '--http-format', 'v3'], 'http-format')],
  inspect: [flag(['invoke-local', '--inspect', 'host:port'], 'inspect')],
  inspectBrk: [flag(['invoke-local', '--inspect-brk', 'a:b:c'], 'inspect-brk')],
  initProgram: [
    switchWithValue('init', 'program'),
    { args: ['init', '--program'], line: /^error: --program needs --dockerfile/ },
    {
      args: ['init', '--program', '--dockerfile'],
      line: /^error: the configuration of faults-bad-input has no "program"$/,
    },
  ],
};

/** Every file and folder under `dir` with its size and modification time: "nothing written" compares two of these. */
async function snapshot(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true });
  return Promise.all(
    entries.sort().map(async (path) => {
      const s = await stat(join(dir, path));
      return `${path} ${s.size} ${s.mtimeMs}`;
    }),
  );
}

const cases = Object.entries(BAD).flatMap(([id, list]) =>
  list.map((bad, index) => [`${id}${list.length > 1 ? ` #${index + 1}` : ''}`, bad] as const),
);

describe('bad input for every option and config key', () => {
  it('has a case for every config key (in the file) and every flag (on the command line)', () => {
    const missing = optionEntries.flatMap(([id, spec]) => {
      const list: BadInput[] = BAD[id] ?? [];
      const gaps: string[] = [];
      if (spec.config && !list.some((bad) => bad.config && id in bad.config)) gaps.push(`config key ${id}`);
      const name = spec.flag?.name;
      const onCommandLine = (bad: BadInput) =>
        spec.flag?.positional
          ? (spec.flag.commands as readonly string[]).includes(bad.args?.[0] ?? '') &&
            !!bad.args?.slice(1).some((arg) => !arg.startsWith('-'))
          : bad.args?.some((arg) => arg === `--${name}` || arg.startsWith(`--${name}=`));
      if (spec.flag && !list.some(onCommandLine)) gaps.push(`flag --${name} (${id})`);
      return gaps;
    });
    expect(missing).toEqual([]);
  });

  it.each(cases)('%s: exit 2, one line naming it and the fix, nothing written', async (_name, bad) => {
    const project = await makeProject({
      'lambda.config.json': JSON.stringify({
        functionName: 'faults-bad-input',
        handler: 'index.handler',
        baseImage: BASE_IMAGE,
        ...bad.config,
      }),
      'index.js': 'exports.handler = async () => 1;',
    });
    const before = await snapshot(project);
    const result = await runCli(bad.args ?? ['build'], {
      cwd: project,
      // Input that gets past the checks would reach for the engine or AWS: neither answers, and the exit code says so.
      env: {
        DOCKER_HOST: 'unix:///nonexistent/tslambda-bad-input.sock',
        AWS_ENDPOINT_URL: 'http://127.0.0.1:1',
        AWS_ACCESS_KEY_ID: 'bad-input',
        AWS_SECRET_ACCESS_KEY: 'bad-input',
        AWS_REGION: 'eu-west-1',
      },
    });
    expect(result.exitCode, result.stderr).toBe(ExitCode.usage);
    const lines = result.stderr.split('\n');
    const line = lines.find((l) => bad.line.test(l));
    expect(line, result.stderr).toBeDefined();
    // The fix: what the key or flag expects, on its line, or a hint.
    expect(/expected |write --|takes no value/.test(line!) || lines.some((l) => l.startsWith('hint: '))).toBe(true);
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(result.stderr).not.toContain('unexpected failure');
    expect(await snapshot(project)).toEqual(before);
  });
});
