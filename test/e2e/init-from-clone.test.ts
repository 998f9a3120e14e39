// `tslambda init` run from a git clone writes a project whose `npm install` resolves tslambda (to that clone).
import { execFile } from 'node:child_process';
import { lstat, mkdtemp, readFile, realpath, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const clone = fileURLToPath(new URL('../../', import.meta.url)).replace(/\/$/, '');
const made: string[] = [];
afterAll(() => Promise.all(made.map((dir) => rm(dir, { recursive: true, force: true }))));

describe('init from a clone', () => {
  it('npm install links the clone and the project runs its tslambda', { timeout: 300_000 }, async () => {
    const project = await mkdtemp(join(tmpdir(), 'tslambda-clone-init-'));
    made.push(project);
    // The built CLI, as `node /path/to/clone/bin/tslambda.js init` (README: using tslambda from a clone).
    await run(process.execPath, [join(clone, 'bin', 'tslambda.js'), 'init', '--name', 'clone-fn'], { cwd: project });
    const manifest = JSON.parse(await readFile(join(project, 'package.json'), 'utf8'));
    expect(manifest.devDependencies.tslambda).toBe(`file:${clone}`);

    await run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund'], { cwd: project });
    const installed = join(project, 'node_modules', 'tslambda');
    expect((await lstat(installed)).isSymbolicLink()).toBe(true);
    expect(await realpath(installed)).toBe(await realpath(clone));
    const version = await run('npx', ['--no-install', 'tslambda', '--version'], { cwd: project });
    expect(version.stdout.trim()).toBe(JSON.parse(await readFile(join(clone, 'package.json'), 'utf8')).version);
  });
});
