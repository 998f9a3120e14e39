// The generated buildspec: parsed by a real YAML parser (as CodeBuild parses it), and its commands run by bash with
// `docker` and `aws` as recording stand-ins, so the quoting of every argument is what is tested.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { BUILD_VARIABLES, DIGEST_VARIABLE, generateBuildspec } from '../../../src/image/buildspec.js';

const yaml = createRequire(import.meta.url)('js-yaml') as { load: (text: string) => unknown };

interface Parsed {
  version: number;
  env: { shell: string; 'exported-variables': string[] };
  phases: Record<string, { commands: string[] }>;
}

const parse = (text: string) => yaml.load(text) as Parsed;

/** Runs the phases' commands in one bash, `docker` and `aws` printing their arguments one per line. */
function runCommands(spec: Parsed, variables: Record<string, string>, pushOutput: string) {
  const commands = [...spec.phases.pre_build!.commands, ...spec.phases.build!.commands];
  const script = [
    `aws() { { printf 'aws'; printf ' <%s>' "$@"; echo; } >&2; echo secret-token; }`,
    `docker() { printf 'docker'; printf ' <%s>' "$@"; echo; if [ "$1" = push ]; then printf '%s\\n' ${JSON.stringify(pushOutput)}; fi; if [ "$1" = pull ]; then return 1; fi; if [ "$1" = login ]; then echo "password=$(cat)"; fi; }`,
    ...commands,
    `echo "exported=$${DIGEST_VARIABLE}"`,
  ].join('\n');
  const dir = spawnSync('mktemp', ['-d'], { encoding: 'utf8' }).stdout.trim();
  // --norc: with sockets for stdio, bash would take itself for a remote shell and read ~/.bashrc.
  return spawnSync('bash', ['--norc', '-c', script], {
    cwd: dir,
    encoding: 'utf8',
    env: { PATH: process.env.PATH, AWS_REGION: 'eu-west-1', ...variables },
  });
}

describe('generateBuildspec', () => {
  const inputs = {
    dockerfile: '.tslambda/Dockerfile',
    platform: 'linux/arm64',
    buildArgs: { GREETING: "it's $HOME `x`" },
    labels: { 'dev.tslambda.handler': 'index.handler' },
    target: 'runtime',
  };

  it('is a version 0.2 buildspec in bash that exports the digest', () => {
    const spec = parse(generateBuildspec(inputs));
    expect(spec.version).toBe(0.2);
    expect(spec.env).toEqual({ shell: 'bash', 'exported-variables': [DIGEST_VARIABLE] });
    expect(Object.keys(spec.phases)).toEqual(['pre_build', 'build']);
  });

  it('logs in, pulls the cache, builds one platform with the classic builder, pushes, and exports the pushed digest', () => {
    const digest = `sha256:${'ab'.repeat(32)}`;
    const run = runCommands(
      parse(generateBuildspec(inputs)),
      {
        [BUILD_VARIABLES.image]: '1.dkr.ecr.eu-west-1.amazonaws.com/fn:v1',
        [BUILD_VARIABLES.registry]: '1.dkr.ecr.eu-west-1.amazonaws.com',
        [BUILD_VARIABLES.cacheFrom]: `1.dkr.ecr.eu-west-1.amazonaws.com/fn@sha256:${'cd'.repeat(32)}`,
      },
      `v1: digest: ${digest} size: 1152`,
    );
    expect(run.status, run.stderr).toBe(0);
    const lines = run.stdout.split('\n');
    expect(run.stderr).toContain('aws <ecr> <get-login-password> <--region> <eu-west-1>\n');
    // The token goes from the CLI to `docker login` through a pipe, never on a command line.
    expect(lines).toContain('password=secret-token');
    expect(lines).toContain('docker <login> <--username> <AWS> <--password-stdin> <1.dkr.ecr.eu-west-1.amazonaws.com>');
    expect(lines).toContain(
      `docker <pull> <--platform> <linux/arm64> <1.dkr.ecr.eu-west-1.amazonaws.com/fn@sha256:${'cd'.repeat(32)}>`,
    );
    // A pull that fails (first build, image gone) does not fail the build.
    expect(lines.some((l) => l.startsWith('no layer cache:'))).toBe(true);
    expect(lines).toContain(
      [
        'docker <build> <--platform> <linux/arm64> <-f> <context/.tslambda/Dockerfile>',
        '<-t> <1.dkr.ecr.eu-west-1.amazonaws.com/fn:v1>',
        `<--cache-from> <1.dkr.ecr.eu-west-1.amazonaws.com/fn@sha256:${'cd'.repeat(32)}>`,
        '<--target> <runtime>',
        "<--build-arg> <GREETING=it's $HOME `x`>",
        '<--label> <dev.tslambda.handler=index.handler>',
        '<context>',
      ].join(' '),
    );
    expect(lines).toContain('docker <push> <1.dkr.ecr.eu-west-1.amazonaws.com/fn:v1>');
    expect(lines).toContain(`exported=${digest}`);
  });

  it('builds without --cache-from when there is no current image, and without the pull under --no-cache', () => {
    const run = runCommands(
      parse(generateBuildspec({ ...inputs, buildArgs: {}, target: undefined, noCache: true })),
      {
        [BUILD_VARIABLES.image]: 'r/fn:v2',
        [BUILD_VARIABLES.registry]: 'r',
        [BUILD_VARIABLES.cacheFrom]: 'r/fn@sha256:00',
      },
      `v2: digest: sha256:${'ef'.repeat(32)} size: 1`,
    );
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).not.toContain('<pull>');
    expect(run.stdout).toContain(
      'docker <build> <--platform> <linux/arm64> <-f> <context/.tslambda/Dockerfile> <-t> <r/fn:v2> <--no-cache> <--label>',
    );
    const empty = runCommands(
      parse(generateBuildspec({ ...inputs, buildArgs: {}, labels: {}, target: undefined })),
      { [BUILD_VARIABLES.image]: 'r/fn:v3', [BUILD_VARIABLES.registry]: 'r', [BUILD_VARIABLES.cacheFrom]: '' },
      `v3: digest: sha256:${'ef'.repeat(32)} size: 1`,
    );
    expect(empty.stdout).toContain(
      'docker <build> <--platform> <linux/arm64> <-f> <context/.tslambda/Dockerfile> <-t> <r/fn:v3> <context>',
    );
  });

  it('fails the build when the push fails or names no digest', () => {
    const spec = parse(generateBuildspec(inputs));
    const variables = {
      [BUILD_VARIABLES.image]: 'r/fn:v1',
      [BUILD_VARIABLES.registry]: 'r',
      [BUILD_VARIABLES.cacheFrom]: '',
    };
    const run = runCommands(spec, variables, 'denied: not authorized');
    expect(run.stdout).toContain('exported=\n');
    // Each command is checked by CodeBuild on its own: the `test -n` of the digest is the one that fails.
    const check = spec.phases.build!.commands.find((c) => c.startsWith('test -n'))!;
    expect(spawnSync('bash', ['--norc', '-c', check], { env: {} }).status).not.toBe(0);
  });
});
