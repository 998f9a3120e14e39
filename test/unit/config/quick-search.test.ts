// The quick config search (no cosmiconfig at start-up) against cosmiconfig itself, configured as tslambda configures
// it: for every tree, where the quick search answers, it answers what cosmiconfig answers; where a case needs
// cosmiconfig (modules, YAML, $import, a file it refuses, a meta config), the quick search says so and
// findConfigFile still gives cosmiconfig's answer.
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { cosmiconfig } from 'cosmiconfig';
import { afterEach, describe, expect, it } from 'vitest';
import { CONFIG_SEARCH_PLACES, findConfigFile } from '../../../src/config/load.js';
import { quickLoad, quickSearch } from '../../../src/config/quick-search.js';
import { makeProject, type FileSpec } from '../../support/temp-project.js';

const explorer = () =>
  cosmiconfig('lambda', {
    searchPlaces: CONFIG_SEARCH_PLACES,
    packageProp: 'lambda',
    searchStrategy: 'global',
    stopDir: resolve('/'),
    cache: false,
  });

/** cosmiconfig's answer as { config, filepath }, or its error's first line. */
async function reference(run: () => Promise<{ config: unknown; filepath: string } | null>) {
  try {
    const found = await run();
    return found ? { config: found.config, filepath: found.filepath } : null;
  } catch (error) {
    return { error: (error as Error).message.split('\n')[0] };
  }
}

const fn = (name: string) => JSON.stringify({ functionName: name });

interface Tree {
  files: Record<string, FileSpec>;
  /** Where the search starts, relative to the tree. */
  from?: string;
  /** The quick search answers (true) or leaves it to cosmiconfig (false). */
  quick: boolean;
}

const searches: Record<string, Tree> = {
  'lambda.config.json here': { files: { 'lambda.config.json': fn('a') }, quick: true },
  'lambda.config.json two folders up': {
    files: { 'lambda.config.json': fn('a'), 'x/y/': '' },
    from: 'x/y',
    quick: true,
  },
  'package.json "lambda" key': {
    files: { 'package.json': JSON.stringify({ name: 'p', lambda: { functionName: 'p' } }) },
    quick: true,
  },
  'package.json without the key, a config above': {
    files: { 'lambda.config.json': fn('above'), 'app/package.json': JSON.stringify({ name: 'app' }) },
    from: 'app',
    quick: true,
  },
  'package.json with "lambda": null is passed over': {
    files: { 'lambda.config.json': fn('above'), 'app/package.json': JSON.stringify({ lambda: null }) },
    from: 'app',
    quick: true,
  },
  'lambda.config.json before package.json in one folder': {
    files: { 'package.json': JSON.stringify({ lambda: { functionName: 'p' } }), 'lambda.config.json': fn('j') },
    quick: true,
  },
  'an empty lambda.config.json is passed over': {
    files: { 'lambda.config.json': ' \n', '.lambdarc.json': fn('rc') },
    quick: true,
  },
  'a folder named lambda.config.json is passed over': {
    files: { 'lambda.config.json/': '', '.lambdarc.json': fn('rc') },
    quick: true,
  },
  'a config in export-default shape': {
    files: { 'lambda.config.json': JSON.stringify({ default: { functionName: 'd' } }) },
    quick: true,
  },
  'lambda.config.mjs': { files: { 'lambda.config.mjs': 'export default { functionName: "m" };' }, quick: false },
  '.lambdarc (YAML) before .lambdarc.json': {
    files: { '.lambdarc': 'functionName: y', '.lambdarc.json': fn('rc') },
    quick: false,
  },
  'a module config in a nearer folder than a JSON one': {
    files: { 'lambda.config.json': fn('far'), 'near/lambda.config.cjs': 'module.exports = { functionName: "near" };' },
    from: 'near',
    quick: false,
  },
  $import: {
    files: { 'base.json': fn('base'), 'lambda.config.json': JSON.stringify({ $import: './base.json', timeout: 3 }) },
    quick: false,
  },
  'invalid JSON': { files: { 'lambda.config.json': '{ "functionName": ' }, quick: false },
  'JSON that is not an object': { files: { 'lambda.config.json': '[1]', '.lambdarc.json': fn('rc') }, quick: false },
  'JSON null': { files: { 'lambda.config.json': 'null', '.lambdarc.json': fn('rc') }, quick: false },
  'package.json "lambda" that is not an object': {
    files: { 'package.json': JSON.stringify({ lambda: 'fn' }) },
    quick: false,
  },
};

describe('quick config search', () => {
  for (const [name, tree] of Object.entries(searches)) {
    it(`${tree.quick ? 'answers as cosmiconfig' : 'leaves to cosmiconfig'}: ${name}`, async () => {
      const root = await makeProject(tree.files);
      const from = join(root, tree.from ?? '.');
      const expected = await reference(() => explorer().search(from));
      const quick = await quickSearch(from, CONFIG_SEARCH_PLACES);
      if (tree.quick) expect(quick).toEqual(expected);
      else expect(quick).toBeUndefined();
      // Either way, the loader's answer is cosmiconfig's.
      const loaded = await findConfigFile(from).then(
        (file) => file,
        (error: Error) => ({ error: error.message }),
      );
      if (expected && 'error' in expected) expect((loaded as { error: string }).error).toContain(expected.error);
      else if (expected) {
        const config = expected.config as Record<string, unknown>;
        expect(loaded).toEqual({
          config: Object.keys(config).length === 1 && 'default' in config ? config.default : config,
          filepath: expected.filepath,
        });
      }
    });
  }

  const loads: Record<string, { files: Record<string, FileSpec>; path: string; quick: boolean }> = {
    'a JSON file': { files: { 'conf/prod.json': fn('prod') }, path: 'conf/prod.json', quick: true },
    'an empty JSON file': { files: { 'conf/empty.json': '' }, path: 'conf/empty.json', quick: true },
    'a missing file': { files: {}, path: 'missing.json', quick: false },
    'invalid JSON': { files: { 'bad.json': '{' }, path: 'bad.json', quick: false },
    'a package.json': {
      files: { 'package.json': JSON.stringify({ lambda: { functionName: 'p' } }) },
      path: 'package.json',
      quick: false,
    },
    'a YAML file': { files: { 'c.yaml': 'functionName: y' }, path: 'c.yaml', quick: false },
  };
  for (const [name, { files, path, quick: answers }] of Object.entries(loads)) {
    it(`--config: ${answers ? 'answers as cosmiconfig' : 'leaves to cosmiconfig'}: ${name}`, async () => {
      const root = await makeProject(files);
      const expected = await reference(() => explorer().load(join(root, path)));
      const quick = await quickLoad(join(root, path));
      if (answers) expect(quick).toEqual(expected);
      else expect(quick).toBeUndefined();
    });
  }
});

describe('a cosmiconfig meta config in the working folder of the process', () => {
  const start = process.cwd();
  afterEach(() => process.chdir(start));

  it('leaves the search to cosmiconfig, which reads the tool config from it', async () => {
    const project = await makeProject({ 'lambda.config.json': fn('project') });
    const meta = await makeProject({});
    await mkdir(join(meta, '.config'));
    await writeFile(join(meta, '.config', 'config.json'), JSON.stringify({ lambda: { functionName: 'meta' } }));
    process.chdir(meta);
    expect(await quickSearch(project, CONFIG_SEARCH_PLACES)).toBeUndefined();
    expect(await quickLoad(join(project, 'lambda.config.json'))).toBeUndefined();
    const expected = await reference(() => explorer().search(project));
    expect(expected).toMatchObject({ config: { functionName: 'meta' } });
    expect((await findConfigFile(project)).config).toEqual({ functionName: 'meta' });
  });

  it('is not one when package.json there has no "cosmiconfig" key', async () => {
    const project = await makeProject({ 'lambda.config.json': fn('project') });
    const folder = await makeProject({ 'package.json': JSON.stringify({ name: 'other' }) });
    process.chdir(folder);
    expect(await quickSearch(project, CONFIG_SEARCH_PLACES)).toEqual(await reference(() => explorer().search(project)));
    const withKey = await makeProject({ 'package.json': JSON.stringify({ cosmiconfig: { searchPlaces: [] } }) });
    process.chdir(withKey);
    expect(await quickSearch(project, CONFIG_SEARCH_PLACES)).toBeUndefined();
  });
});
