import { describe, expect, it } from 'vitest';
import { extract } from 'tar-stream';
import { createBuildContext, selectContextEntries } from '../../../src/image/context.js';
import { makeProject } from '../../support/temp-project.js';

interface TarEntry {
  name: string;
  type: string | null | undefined;
  mode: number;
  uid: number;
  linkname?: string | null;
  content: string;
}

async function readTar(stream: NodeJS.ReadableStream): Promise<TarEntry[]> {
  const entries: TarEntry[] = [];
  const parser = extract();
  parser.on('entry', (header, body, next) => {
    const chunks: Buffer[] = [];
    body.on('data', (c: unknown) => chunks.push(c as Buffer));
    body.on('end', () => {
      entries.push({
        name: header.name,
        type: header.type,
        mode: header.mode! & 0o7777,
        uid: header.uid!,
        linkname: header.linkname,
        content: Buffer.concat(chunks).toString(),
      });
      next();
    });
  });
  const done = new Promise<void>((resolve, reject) => parser.on('finish', () => resolve()).on('error', reject));
  stream.pipe(parser);
  await done;
  return entries;
}

async function included(files: Record<string, string>, dockerignore: string, always: string[] = []): Promise<string[]> {
  const root = await makeProject({ ...files, '.dockerignore': dockerignore });
  const { entries } = await selectContextEntries(root, dockerignore.split('\n'), always);
  return entries.filter((e) => e !== '.dockerignore');
}

describe('.dockerignore semantics', () => {
  const tree = {
    'index.js': '',
    'README.md': '',
    'docs/guide.md': '',
    'docs/keep.md': '',
    'src/a.js': '',
    'src/a.test.js': '',
    'src/deep/b.test.js': '',
    'node_modules/x/index.js': '',
    'logs/app.log': '',
  };

  it('ignores folders with everything under them, and comments and blank lines do nothing', async () => {
    expect(await included(tree, '# comment\n\nnode_modules\nlogs/\n')).toEqual([
      'README.md',
      'docs',
      'docs/guide.md',
      'docs/keep.md',
      'index.js',
      'src',
      'src/a.js',
      'src/a.test.js',
      'src/deep',
      'src/deep/b.test.js',
    ]);
  });

  it('matches ** across folders and * within one', async () => {
    expect(await included(tree, '**/*.test.js\nnode_modules\nlogs\ndocs\n*.md')).toEqual([
      'index.js',
      'src',
      'src/a.js',
      'src/deep',
    ]);
    // A single * does not cross a folder: src/*.test.js leaves src/deep/b.test.js.
    expect(await included(tree, 'src/*.test.js\nnode_modules\nlogs\ndocs\n*.md')).toContain('src/deep/b.test.js');
  });

  it('re-includes with ! even inside an ignored folder, and the last matching line wins', async () => {
    const result = await included(tree, 'docs\n!docs/keep.md\nnode_modules\nlogs\nsrc\n*.md\n!README.md');
    expect(result).toEqual(['README.md', 'docs', 'docs/keep.md', 'index.js']);
  });

  it('treats a leading / as the context root', async () => {
    expect(await included({ 'a.txt': '', 'sub/a.txt': '' }, '/a.txt')).toEqual(['sub', 'sub/a.txt']);
  });

  it('always sends the Dockerfile and .dockerignore even when listed', async () => {
    const root = await makeProject({
      Dockerfile: 'FROM x',
      'docker/Dockerfile.prod': 'FROM y',
      '.dockerignore': '*\n',
    });
    const { entries } = await selectContextEntries(root, ['*'], ['docker/Dockerfile.prod']);
    expect(entries).toEqual(['.dockerignore', 'docker', 'docker/Dockerfile.prod']);
  });

  it('never sends a .tslambda folder of the user, which tslambda owns', async () => {
    expect(await included({ 'index.js': '', '.tslambda/runtime/bootstrap.cjs': 'evil' }, '')).toEqual(['index.js']);
  });
});

describe('build context tar', () => {
  it('streams files with their modes, links as links, root ownership, and the extra files', async () => {
    const root = await makeProject({
      'index.js': 'exports.handler = 1',
      'bin/run.sh': { content: '#!/bin/sh', mode: 0o755 },
      'link.js': { symlink: 'index.js' },
      'secret.txt': 'x',
      '.dockerignore': 'secret.txt\n',
    });
    const context = await createBuildContext({
      directory: root,
      extraFiles: [
        { path: '.tslambda/runtime/bootstrap.cjs', content: 'loop' },
        { path: '.tslambda/Dockerfile', content: 'FROM base' },
      ],
    });
    const entries = await readTar(context.stream);
    const byName = Object.fromEntries(entries.map((e) => [e.name.replace(/\/$/, ''), e]));
    expect(Object.keys(byName).sort()).toEqual([
      '.',
      '.dockerignore',
      '.tslambda/Dockerfile',
      '.tslambda/runtime/bootstrap.cjs',
      'bin',
      'bin/run.sh',
      'index.js',
      'link.js',
    ]);
    expect(byName['bin/run.sh']).toMatchObject({ type: 'file', mode: 0o755, uid: 0, content: '#!/bin/sh' });
    expect(byName['index.js']).toMatchObject({ type: 'file', mode: 0o644, content: 'exports.handler = 1' });
    expect(byName['link.js']).toMatchObject({ type: 'symlink', linkname: 'index.js' });
    expect(byName['.tslambda/runtime/bootstrap.cjs']).toMatchObject({ type: 'file', mode: 0o644, content: 'loop' });
    expect(context.entries).not.toContain('secret.txt');
  });

  it('puts the folder under a prefix for a generated Dockerfile', async () => {
    const root = await makeProject({ 'index.js': 'x', 'lib/util.js': 'y' });
    const context = await createBuildContext({ directory: root, directoryPrefix: '.tslambda/app', extraFiles: [] });
    const names = (await readTar(context.stream)).map((e) => e.name.replace(/\/$/, '')).sort();
    expect(names).toEqual([
      '.tslambda/app',
      '.tslambda/app/index.js',
      '.tslambda/app/lib',
      '.tslambda/app/lib/util.js',
    ]);
  });

  it('flags files that look like secrets, and an .npmrc only when it holds a token', async () => {
    const root = await makeProject({
      '.env': 'A=1',
      '.env.production': 'A=1',
      '.env.example': 'A=',
      'certs/server.pem': '',
      'keys/id_rsa': '',
      'keys/id_rsa.pub': '',
      '.npmrc': 'registry=https://example.test/',
      'sub/.npmrc': '//registry.npmjs.org/:_authToken=abc',
      'index.js': '',
    });
    const context = await createBuildContext({ directory: root, extraFiles: [] });
    await readTar(context.stream);
    const { suspectedSecrets } = context;
    expect(suspectedSecrets.sort()).toEqual([
      '.env',
      '.env.production',
      'certs/server.pem',
      'keys/id_rsa',
      'sub/.npmrc',
    ]);
  });
});
