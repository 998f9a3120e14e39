// The config's named targets (for promote and deploy --image --from): every problem at once with its path, and the
// command-line errors a user meets before any AWS call.
import { describe, expect, it } from 'vitest';
import { validateConfig } from '../../../src/config/schema.js';
import { ExitCode } from '../../../src/core/errors.js';
import { runCli } from '../../support/run-cli.js';
import { makeProject } from '../../support/temp-project.js';

describe('targets in the config', () => {
  it('accepts region, profile and accountId per target', () => {
    expect(
      validateConfig({
        functionName: 'api',
        targets: {
          staging: { region: 'eu-west-1' },
          prod: { region: 'us-east-1', profile: 'prod', accountId: '210987654321' },
        },
      }),
    ).toEqual([]);
  });

  it('reports every problem of every target with its path', () => {
    expect(
      validateConfig({
        targets: {
          prod: { region: 'Europe', accountId: 12345, roleArn: 'arn:aws:iam::1:role/x' },
          qa: 'eu-west-1',
        },
      }),
    ).toEqual([
      { path: 'targets.prod.roleArn', message: 'unknown key; allowed keys: region, profile, accountId' },
      { path: 'targets.prod.region', message: 'expected an AWS region such as "eu-west-1", found "Europe"' },
      {
        path: 'targets.prod.accountId',
        message: 'expected a 12-digit AWS account id (as a string), found number 12345',
      },
      {
        path: 'targets.qa',
        message: 'expected an object such as { "region": "eu-west-1", "profile": "prod" }, found "eu-west-1"',
      },
    ]);
  });
});

describe('promote on the command line', () => {
  const project = () =>
    makeProject({
      'lambda.config.json': JSON.stringify({ functionName: 'api', targets: { staging: { region: 'eu-west-1' } } }),
    });
  const env = { AWS_ACCESS_KEY_ID: undefined, AWS_PROFILE: undefined };

  it('needs --from and --to', async () => {
    const result = await runCli(['promote', '--from', 'staging'], { cwd: await project(), env });
    expect(result.exitCode).toBe(ExitCode.usage);
    expect(result.stderr).toContain('error: promote needs --from <target> and --to <target>');
  });

  it('names the targets the config has when one is unknown', async () => {
    const result = await runCli(['promote', '--from', 'staging', '--to', 'prod'], { cwd: await project(), env });
    expect(result.exitCode).toBe(ExitCode.usage);
    expect(result.stderr).toContain('error: --to prod: no such target in the config');
    expect(result.stderr).toContain('hint: pick one of staging');
  });

  it('deploy --from without --image is refused before anything runs', async () => {
    const result = await runCli(['deploy', '--from', 'staging'], { cwd: await project(), env });
    expect(result.exitCode).toBe(ExitCode.usage);
    expect(result.stderr).toContain('--from: names where --image lives; pass --image <reference> with it');
  });
});
