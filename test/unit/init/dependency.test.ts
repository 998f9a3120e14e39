// How init names tslambda in package.json: the registry version when installed by npm, the folder when run from a clone.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { tslambdaDependency } from '../../../src/init/dependency.js';
import { runInit } from './run-init.js';

const clone = fileURLToPath(new URL('../../../', import.meta.url)).replace(/\/$/, '');

describe('the tslambda dependency init writes', () => {
  it('is the registry range when tslambda runs from a node_modules folder', () => {
    expect(tslambdaDependency('0.1.0', '/home/me/app/node_modules/tslambda')).toBe('^0.1.0');
    expect(tslambdaDependency('0.1.0', '/root/.npm/_npx/3f2a/node_modules/tslambda')).toBe('^0.1.0');
    expect(tslambdaDependency('0.1.0', '/usr/lib/node_modules/tslambda')).toBe('^0.1.0');
  });

  it('is the folder, as file:/abs/path, when tslambda runs from a clone', () => {
    expect(tslambdaDependency('0.1.0', '/home/me/src/tslambda')).toBe('file:/home/me/src/tslambda');
    expect(tslambdaDependency('0.1.0', '/home/me/node_modules-notes/tslambda')).toBe(
      'file:/home/me/node_modules-notes/tslambda',
    );
  });

  it('init run from this clone references this clone', async () => {
    const cwd = await mkdtemp(join(tmpdir(), 'tslambda-init-dep-'));
    try {
      const run = await runInit(cwd, { name: 'from-clone' });
      expect(run.error).toBeUndefined();
      const manifest = JSON.parse(await readFile(join(cwd, 'package.json'), 'utf8'));
      expect(manifest.devDependencies.tslambda).toBe(`file:${clone}`);
    } finally {
      await rm(cwd, { recursive: true, force: true });
    }
  });
});
