import { describe, expect, it } from 'vitest';
import { runCli } from '../../support/run-cli.js';
import { ExitCode } from '../../../src/core/errors.js';
import { flagsOf, type CommandName } from '../../../src/config/options.js';

const commands: CommandName[] = ['init', 'build', 'bundle', 'invoke-local', 'dev', 'push', 'deploy'];

describe('flags from the option table', () => {
  it('reports every flag problem at once, before anything runs, with the usage exit code', async () => {
    const result = await runCli(['deploy', '--create', '--wait-timeout', '0']);
    expect(result.exitCode).toBe(ExitCode.usage);
    expect(result.stderr).toBe(
      [
        'error: invalid flags (2 problems):',
        '  --wait-timeout: expected a positive number of seconds, found number 0',
        '  --create: needs --role <execution-role-arn>',
        'hint: run `tslambda deploy --help` for the options',
        '',
      ].join('\n'),
    );
  });

  it('lists the problems under --json, with their flag names', async () => {
    const result = await runCli(['invoke-local', '--repeat', '0', '--concurrency', '0', '--serve', '70000', '--json']);
    expect(result.exitCode).toBe(ExitCode.usage);
    expect(JSON.parse(result.stdout).error.problems.map((p: { path: string }) => p.path)).toEqual([
      '--serve',
      '--concurrency',
      '--repeat',
    ]);
  });

  it('refuses --watch with --no-build as a flag problem', async () => {
    const result = await runCli(['invoke-local', '--watch', '--no-build']);
    expect(result.exitCode).toBe(ExitCode.usage);
    expect(result.stderr).toContain('--watch: rebuilds on every change: drop --image and --no-build');
  });

  it("shows every flag a command takes in that command's help, with its examples", async () => {
    for (const command of commands) {
      const help = await runCli([command, '--help']);
      expect(help.exitCode).toBe(0);
      expect(help.stdout).toContain('Examples:');
      for (const [, spec] of flagsOf(command)) {
        const shown =
          spec.kind === 'boolean' && spec.flag.default === true
            ? `--no-${spec.flag.name}`
            : spec.flag.positional
              ? spec.flag.name
              : `--${spec.flag.name}`;
        expect(help.stdout, `${command} --help shows ${shown}`).toContain(shown);
      }
    }
  });

  it('accepts every flag its help shows (the parser is written from the same table)', async () => {
    // --no-build with an image that cannot exist stops after parsing, at the engine; a parse error would exit 2.
    const result = await runCli(
      [
        'invoke-local',
        '--no-build',
        '--image',
        'x',
        '--env',
        'A=1',
        '--env-file',
        'missing.env',
        '--serve',
        '--concurrency',
        '2',
        '--no-docker',
        '--json',
      ],
      {
        env: { DOCKER_HOST: 'unix:///nonexistent/tslambda-flags.sock' },
      },
    );
    expect(result.stderr).not.toContain('Unknown argument');
    expect(result.stderr).not.toContain('invalid flags');
  });
});
