// The region read from the shared files without the SDK, against the SDK's own region provider (the loader its
// clients use, with the profile and files tslambda passes it), file by file; and the region a step names before the
// SDK loads, against what a real client then reports.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { loadConfig, NODE_REGION_CONFIG_FILE_OPTIONS, NODE_REGION_CONFIG_OPTIONS } from '@smithy/core/config';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientRegion, regionFor } from '../../../src/aws/region.js';
import { profileRegion, sharedFiles } from '../../../src/aws/shared-files.js';

let root: string;
let count = 0;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'tslambda-shared-files-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

const NONE = '(no region)';

/** Each case its own files: the SDK caches what it read by path. */
async function filesOf(config?: string, credentials?: string) {
  const at = join(root, String(++count));
  const files = { filepath: `${at}-credentials`, configFilepath: `${at}-config` };
  if (config !== undefined) await writeFile(files.configFilepath, config);
  if (credentials !== undefined) await writeFile(files.filepath, credentials);
  return files;
}

/** The SDK's region provider as tslambda's clients call it, with nothing in the environment and no fallback. */
const sdkRegion = (files: { filepath: string; configFilepath: string }, profile: string) =>
  loadConfig(
    { ...NODE_REGION_CONFIG_OPTIONS, environmentVariableSelector: () => undefined, default: () => NONE },
    { ...NODE_REGION_CONFIG_FILE_OPTIONS, ...files, profile },
  )();

interface Case {
  config?: string;
  credentials?: string;
  profile?: string;
  /** The region both must find (NONE: neither finds one). */
  region: string;
}

const cases: Record<string, Case> = {
  '[default] in config': { config: '[default]\nregion = eu-north-1\n', region: 'eu-north-1' },
  '[profile dev] in config': {
    config: '[default]\nregion = a-1\n[profile dev]\nregion = ap-south-2\n',
    profile: 'dev',
    region: 'ap-south-2',
  },
  'credentials over config': {
    config: '[profile dev]\nregion = eu-west-1\n',
    credentials: '[dev]\nregion = us-west-2\naws_access_key_id = k\n',
    profile: 'dev',
    region: 'us-west-2',
  },
  'config when credentials has no region': {
    config: '[profile dev]\nregion = eu-west-1\n',
    credentials: '[dev]\naws_access_key_id = k\n',
    profile: 'dev',
    region: 'eu-west-1',
  },
  '[dev] in config is not a profile': { config: '[dev]\nregion = eu-west-1\n', profile: 'dev', region: NONE },
  '[profile dev] in credentials is not dev': {
    credentials: '[profile dev]\nregion = eu-west-1\n',
    profile: 'dev',
    region: NONE,
  },
  '[profile default] replaces [default] whole': {
    config: '[default]\nregion = eu-west-1\n[profile default]\noutput = json\n',
    region: NONE,
  },
  '[profile default] alone': { config: '[profile default]\nregion = sa-east-1\n', region: 'sa-east-1' },
  'comments after whitespace, not inside a value': {
    config: '# top\n[default] ; here\nregion = eu-west-3 # the closest\n',
    credentials: '[x]\nregion=us-east-2#tag\n',
    region: 'eu-west-3',
  },
  'a # glued to the value stays in it': { credentials: '[default]\nregion=us-east-2#tag\n', region: 'us-east-2#tag' },
  'an indented region in a sub-section is not the profile region': {
    config: '[default]\ns3 =\n  region = us-west-1\n  max_concurrent_requests = 20\n',
    region: NONE,
  },
  'a region after a sub-section ends': {
    config: '[default]\ns3 =\n  max_concurrent_requests = 20\nregion = ca-central-1\n',
    region: 'ca-central-1',
  },
  'tab-indented sub-section': { config: '[default]\ns3 =\n\tregion = us-west-1\n', region: NONE },
  'an empty region opens a sub-section': { config: '[default]\nregion =\n  x = 1\n', region: NONE },
  'CRLF line ends and spaces around =': { config: '[default]\r\nregion   =   eu-south-1  \r\n', region: 'eu-south-1' },
  'quoted profile name': { config: "[profile 'dev']\nregion = me-south-1\n", profile: 'dev', region: 'me-south-1' },
  'two spaces after "profile"': { config: '[profile  dev]\nregion = eu-west-1\n', profile: 'dev', region: NONE },
  'spaces inside the brackets': { config: '[ default ]\nregion = eu-west-1\n', region: NONE },
  'sso-session and services sections are not profiles': {
    config: '[sso-session dev]\nregion = eu-west-1\n[services dev]\nregion = eu-west-2\n',
    profile: 'dev',
    region: NONE,
  },
  'an unknown section kind hides its settings': {
    config: '[default]\nregion = eu-west-1\n[weird dev]\nregion = x\n',
    profile: 'dev',
    region: NONE,
  },
  'a section seen twice adds up, the later value wins': {
    config: '[default]\nregion = a-1\n[profile x]\nregion = b\n[default]\noutput = json\nregion = c-2\n',
    region: 'c-2',
  },
  'upper-case key is another key': { config: '[default]\nRegion = eu-west-1\n', region: NONE },
  'a line starting with = is ignored': { config: '[default]\n= eu-west-1\nregion = eu-west-2\n', region: 'eu-west-2' },
  'a __proto__ section empties the whole file': {
    config: '[default]\nregion = eu-west-1\n[profile __proto__]\nx = 1\n',
    credentials: '[default]\nregion = us-east-2\n[__proto__]\nx = 1\n',
    region: NONE,
  },
  'no files': { region: NONE },
  'keys before any section': { config: 'region = eu-west-1\n[default]\n', region: NONE },
};

describe('the region of a profile, read without the SDK', () => {
  for (const [name, c] of Object.entries(cases)) {
    it(`agrees with the SDK: ${name}`, async () => {
      const files = await filesOf(c.config, c.credentials);
      const profile = c.profile ?? 'default';
      const sdk = await sdkRegion(files, profile);
      expect(sdk).toBe(c.region);
      expect((await profileRegion(files, profile)) ?? NONE).toBe(sdk);
    });
  }

  it('leaves to the SDK a profile named like a prototype key, and a path only the SDK expands (~/)', async () => {
    const files = await filesOf('[profile constructor]\nregion = eu-west-1\n');
    expect(await profileRegion(files, 'constructor')).toBeUndefined();
    expect(await profileRegion({ ...files, configFilepath: '~/.aws/config' }, 'default')).toBeUndefined();
  });
});

describe('the region a step names before the SDK loads', () => {
  it('is the region a real client then reports: flag, AWS_REGION, profile files, FIPS pseudo-regions', async () => {
    const files = await filesOf('[default]\nregion = eu-north-1\n[profile dev]\nregion = fips-us-east-2\n');
    const env = {
      HOME: join(root, 'nowhere'),
      AWS_CONFIG_FILE: files.configFilepath,
      AWS_SHARED_CREDENTIALS_FILE: files.filepath,
    };
    const settings: Array<[NodeJS.ProcessEnv, { region?: string; profile?: string }]> = [
      [env, { region: 'ap-east-1' }],
      [{ ...env, AWS_REGION: 'us-gov-west-1-fips' }, {}],
      [env, {}],
      [{ ...env, AWS_PROFILE: 'dev' }, {}],
      [env, { profile: 'dev' }],
      [env, { region: 'fips-aws-global' }],
      [env, { region: 'fips-dkr-us-east-1' }],
    ];
    for (const [given, config] of settings) {
      const profile = config.profile ?? given.AWS_PROFILE;
      const client = new LambdaClient({
        region: config.region ?? given.AWS_REGION ?? (await sdkRegion(sharedFiles(given), profile ?? 'default')),
      });
      expect(await regionFor(given, config)).toBe(await client.config.region());
    }
  });

  it('is the real region for every FIPS spelling', async () => {
    for (const region of ['fips-us-east-1', 'us-east-1-fips', 'fips-prod-us-west-2', 'aws-fips', 'eu-west-1']) {
      expect(clientRegion(region)).toBe(await new LambdaClient({ region }).config.region());
    }
  });
});
