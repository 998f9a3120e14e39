// The AWS clients take profile, keys, region and endpoints from the env object they are given, never from
// process.env, and still read the shared config files by the chosen profile with the SDK's own loaders.
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAwsClients } from '../../../src/aws/clients.js';
import { readAwsEnvironment, resolveCredentials } from '../../../src/aws/environment.js';
import { defaultRegion } from '../../../src/aws/region.js';

let home: string;

beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), 'tslambda-aws-env-'));
  await mkdir(join(home, '.aws'));
  await writeFile(
    join(home, '.aws', 'config'),
    '[default]\nregion = eu-north-1\n\n[profile dev]\nregion = ap-south-2\n',
  );
  await writeFile(
    join(home, '.aws', 'credentials'),
    '[default]\naws_access_key_id = AKIDDEFAULT\naws_secret_access_key = s1\n\n[dev]\naws_access_key_id = AKIDDEV\naws_secret_access_key = s2\n',
  );
});
afterAll(async () => {
  await rm(home, { recursive: true, force: true });
});

describe('AWS clients from an env object', () => {
  it('read the region and keys of the profile named by --profile or AWS_PROFILE from the shared files under HOME', async () => {
    for (const [env, profile] of [
      [{ HOME: home }, 'dev'],
      [{ HOME: home, AWS_PROFILE: 'dev' }, undefined],
    ] as const) {
      const { lambda, ecr } = createAwsClients({ env: { ...env }, ...(profile ? { profile } : {}) });
      expect(await lambda.config.region()).toBe('ap-south-2');
      expect(await ecr.config.credentials()).toMatchObject({ accessKeyId: 'AKIDDEV', secretAccessKey: 's2' });
    }
    const { lambda } = createAwsClients({ env: { HOME: home } });
    expect(await lambda.config.region()).toBe('eu-north-1');
    expect(await lambda.config.credentials()).toMatchObject({ accessKeyId: 'AKIDDEFAULT' });
  });

  it('prefer keys and AWS_REGION in the env over the files unless a profile is chosen', async () => {
    const env = {
      HOME: home,
      AWS_ACCESS_KEY_ID: 'AKIDENV',
      AWS_SECRET_ACCESS_KEY: 's3',
      AWS_SESSION_TOKEN: 't',
      AWS_REGION: 'sa-east-1',
    };
    const { lambda } = createAwsClients({ env });
    expect(await lambda.config.region()).toBe('sa-east-1');
    expect(await lambda.config.credentials()).toMatchObject({ accessKeyId: 'AKIDENV', sessionToken: 't' });
    expect(await resolveCredentials(readAwsEnvironment(env, 'dev'), 'us-east-1')).toMatchObject({
      accessKeyId: 'AKIDDEV',
    });
  });

  it('send each service to AWS_ENDPOINT_URL_<SERVICE>, else AWS_ENDPOINT_URL', async () => {
    const env = {
      HOME: home,
      AWS_ENDPOINT_URL: 'http://127.0.0.1:1111',
      AWS_ENDPOINT_URL_ECR: 'http://127.0.0.1:2222',
    };
    const { ecr, lambda } = createAwsClients({ env });
    expect((await ecr.config.endpoint?.())?.port).toBe(2222);
    expect((await lambda.config.endpoint?.())?.port).toBe(1111);
  });

  it('say "Region is missing" when neither the env nor the profile names one', async () => {
    const { lambda } = createAwsClients({ env: { HOME: join(home, 'nowhere') } });
    await expect(lambda.config.region()).rejects.toThrow(/region is missing/i);
  });
});

describe('defaultRegion (local runs)', () => {
  it('takes the configured region, then AWS_REGION, then AWS_DEFAULT_REGION, then us-east-1', () => {
    expect(defaultRegion({ AWS_REGION: 'eu-west-1' }, { region: 'eu-west-3' })).toBe('eu-west-3');
    expect(defaultRegion({ AWS_REGION: 'eu-west-1', AWS_DEFAULT_REGION: 'eu-west-2' }, {})).toBe('eu-west-1');
    expect(defaultRegion({ AWS_DEFAULT_REGION: 'eu-west-2' }, {})).toBe('eu-west-2');
    expect(defaultRegion({}, {})).toBe('us-east-1');
  });
});
