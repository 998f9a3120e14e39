import { describe, expect, it } from 'vitest';
import { runCli } from '../../support/run-cli.js';
import { makeProject } from '../../support/temp-project.js';
import { ExitCode } from '../../../src/core/errors.js';
import { packageVersion } from '../../../src/core/version.js';

describe('tslambda CLI', () => {
  it('prints the version', async () => {
    const result = await runCli(['--version']);
    expect(result).toMatchObject({ exitCode: 0, stdout: `${packageVersion}\n` });
  });

  it('teaches with --help: every command, and examples for build', async () => {
    const top = await runCli(['--help']);
    expect(top.exitCode).toBe(0);
    expect(top.stdout).toContain('tslambda build');
    expect(top.stdout).toContain('--verbose');
    const build = await runCli(['build', '--help']);
    expect(build.stdout).toContain('Examples:');
    expect(build.stdout).toContain('tslambda build --tag v2 --architecture arm64');
    expect(build.stdout).toContain('--build-arg');
  });

  it('rejects an unknown command with a suggestion and the usage exit code', async () => {
    const result = await runCli(['biuld']);
    expect(result.exitCode).toBe(ExitCode.usage);
    expect(result.stderr).toContain('hint: did you mean `tslambda build`?');
    expect(result.stderr.trim().split('\n')).toHaveLength(2);
  });

  it('rejects an unknown flag, naming it', async () => {
    const result = await runCli(['build', '--colour']);
    expect(result.exitCode).toBe(ExitCode.usage);
    expect(result.stderr).toMatch(
      /^error: Unknown argument: colour\nhint: run `tslambda build --help` for the options\n$/,
    );
  });

  it('asks for a command when none is given', async () => {
    const result = await runCli([]);
    expect(result.exitCode).toBe(ExitCode.usage);
    expect(result.stderr).toContain('name a command');
  });

  it('exits 2 on an invalid config, listing the problems, with the error as JSON on stdout under --json', async () => {
    const cwd = await makeProject({ 'lambda.config.json': JSON.stringify({ functionName: 'ok', memorySize: 1 }) });
    const result = await runCli(['build', '--json'], { cwd });
    expect(result.exitCode).toBe(ExitCode.usage);
    const json = JSON.parse(result.stdout);
    expect(json).toMatchObject({ ok: false, error: { exitCode: 2, problems: [{ path: 'memorySize' }] } });
    expect(result.stderr).toContain('memorySize: expected an integer from 128 to 10240, found number 1');
  });

  it('exits 3 with one clear line when DOCKER_HOST points at nothing', async () => {
    const cwd = await makeProject({ 'lambda.config.json': JSON.stringify({ functionName: 'fn' }), 'index.js': '' });
    const result = await runCli(['build'], { cwd, env: { DOCKER_HOST: 'unix:///nonexistent/docker.sock' } });
    expect(result.exitCode).toBe(ExitCode.dockerUnreachable);
    // The build's steps show before the engine is reached (the Docker client loads inside the build step).
    const lines = result.stderr.split('\n');
    expect(lines.slice(2, 4)).toEqual(['Building fn:latest (linux/amd64) …', '✖ Building fn:latest (linux/amd64)']);
    expect(lines.slice(4)).toEqual([
      'error: cannot reach the Docker engine at unix:///nonexistent/docker.sock: no socket there',
      'hint: start Docker, or set DOCKER_HOST to an engine that runs',
      '',
    ]);
    const tcp = await runCli(['build'], { cwd, env: { DOCKER_HOST: 'tcp://127.0.0.1:1' } });
    expect(tcp.exitCode).toBe(ExitCode.dockerUnreachable);
    expect(tcp.stderr).toContain('cannot reach the Docker engine at tcp://127.0.0.1:1: connection refused');
  });

  it('shows the stack of an unexpected error only with --verbose', async () => {
    const cwd = await makeProject({ 'lambda.config.json': JSON.stringify({ functionName: 'fn' }), 'index.js': '' });
    // An ssh:// host with no ssh server gives a non-user error path inside dockerode; either way no stack without --verbose.
    const quiet = await runCli(['build'], { cwd, env: { DOCKER_HOST: 'bogus://x' } });
    expect(quiet.exitCode).toBe(ExitCode.dockerUnreachable);
    expect(quiet.stderr).not.toMatch(/\n\s+at /);
  });
});
