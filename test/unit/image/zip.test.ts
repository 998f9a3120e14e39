// The source bundle: a build context tar re-encoded as a zip as it streams, read back by Info-ZIP's unzip (the
// extractor CodeBuild's images carry) and by Python's zipfile, entry by entry.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, existsSync } from 'node:fs';
import { mkdtemp, readFile, readlink, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { createBuildContext } from '../../../src/image/context.js';
import { tarToZip } from '../../../src/image/zip.js';
import { makeProject } from '../../support/temp-project.js';

const scratch = await mkdtemp(join(tmpdir(), 'tslambda-zip-'));
afterAll(() => rm(scratch, { recursive: true, force: true }));

async function zipOf(directory: string, name: string): Promise<string> {
  const context = await createBuildContext({
    directory,
    extraFiles: [{ path: '.tslambda/Dockerfile', content: 'FROM scratch\n' }],
  });
  const file = join(scratch, `${name}.zip`);
  const zip = tarToZip(context.stream, {
    prefix: 'context/',
    extraFiles: [{ path: 'buildspec.yml', content: 'version: 0.2\n' }],
  });
  await pipeline(Readable.from(zip), createWriteStream(file));
  return file;
}

describe('tarToZip', () => {
  it('keeps every file, folder, mode and link of the context under context/, with the buildspec at the root', async () => {
    const big = randomBytes(300_000);
    const project = await makeProject({
      'index.js': 'exports.handler = async () => 1;\n',
      'empty.txt': '',
      'bin/run.sh': { content: '#!/bin/sh\necho hi\n', mode: 0o755 },
      'data/big.bin': 'placeholder',
      'link.js': { symlink: 'index.js' },
      'node_modules/ignored/index.js': 'nope',
      '.dockerignore': 'node_modules\n',
    });
    await (await import('node:fs/promises')).writeFile(join(project, 'data/big.bin'), big);
    const file = await zipOf(project, 'tree');

    const tested = spawnSync('unzip', ['-t', file], { encoding: 'utf8' });
    expect(tested.status, tested.stdout).toBe(0);
    const listing = spawnSync('unzip', ['-Z1', file], { encoding: 'utf8' }).stdout.trim().split('\n').sort();
    expect(listing).toEqual(
      [
        'buildspec.yml',
        'context/',
        'context/.dockerignore',
        'context/.tslambda/Dockerfile',
        'context/bin/',
        'context/bin/run.sh',
        'context/data/',
        'context/data/big.bin',
        'context/empty.txt',
        'context/index.js',
        'context/link.js',
      ].sort(),
    );
    const out = join(scratch, 'tree');
    expect(spawnSync('unzip', ['-q', file, '-d', out]).status).toBe(0);
    expect(await readFile(join(out, 'context/data/big.bin'))).toEqual(big);
    expect(await readFile(join(out, 'context/empty.txt'), 'utf8')).toBe('');
    expect(await readFile(join(out, 'buildspec.yml'), 'utf8')).toBe('version: 0.2\n');
    expect((await stat(join(out, 'context/bin/run.sh'))).mode & 0o777).toBe(0o755);
    expect(await readlink(join(out, 'context/link.js'))).toBe('index.js');

    // A second reader, with its own CRC and size checks.
    // Debian's python3 (the pyenv shim takes seconds to start); either reads zips the same way.
    const python = spawnSync(
      existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3',
      ['-c', 'import sys, zipfile; z = zipfile.ZipFile(sys.argv[1]); print(z.testzip(), len(z.namelist()))', file],
      { encoding: 'utf8' },
    );
    expect(python.stdout.trim(), python.stderr).toBe('None 11');
  });

  it('is the same bytes for the same context (fixed timestamps), so identical contexts make identical bundles', async () => {
    const project = await makeProject({ 'index.js': 'exports.handler = async () => 2;\n' });
    const [a, b] = [await zipOf(project, 'a'), await zipOf(project, 'b')];
    expect(await readFile(a)).toEqual(await readFile(b));
  });
});
