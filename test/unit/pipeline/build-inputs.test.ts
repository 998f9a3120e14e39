// The build-inputs hash, from a project on disk through the build's own preparation (config, source, context,
// Dockerfile, bundle): each input changes it, files .dockerignore leaves out and file times do not. The engine is
// asked only for the IDs of the images the Dockerfile reads; a stand-in answers from a table (by reference).
import { chmod, rm, symlink, unlink, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import type Docker from 'dockerode';
import { describe, expect, it } from 'vitest';
import { createOutput } from '../../../src/cli/terminal.js';
import { DEFAULT_NODE_IMAGE } from '../../../src/image/program-dockerfile.js';
import { loadProject } from '../../../src/config/load.js';
import { prepareBuild, type BuildOptions } from '../../../src/pipeline/build.js';
import { makeProject } from '../../support/temp-project.js';

const BASE = 'example/base:node20';
const OTHER_BASE = 'example/base:node22';

/** The engine's IDs by reference; a reference missing here is an image the engine does not have. */
const engineIds: Record<string, string> = {
  // A program's loop takes node from a stage of its own, over this image.
  [DEFAULT_NODE_IMAGE]: `sha256:${'e'.repeat(64)}`,
  [BASE]: `sha256:${'a'.repeat(64)}`,
  [OTHER_BASE]: `sha256:${'b'.repeat(64)}`,
};
const engine = {
  getImage: (reference: string) => ({
    inspect: async () => {
      const id = engineIds[reference];
      if (!id) throw Object.assign(new Error(`no such image: ${reference}`), { statusCode: 404 });
      return { Id: id };
    },
  }),
} as unknown as Docker;

async function prepare(root: string, options: BuildOptions = { bundle: false }) {
  const { functions } = await loadProject({ cwd: root, env: {} });
  const sink = new PassThrough().resume();
  const out = await createOutput({
    stdout: sink,
    stderr: sink,
    interactive: false,
    color: false,
    json: false,
    verbose: false,
    quiet: false,
  });
  const ctx = { out, signal: new AbortController().signal, docker: async () => engine, env: {} };
  return prepareBuild(ctx, { ...functions[0]!, tag: 'v1' }, options);
}

async function inputsOf(root: string, options?: BuildOptions): Promise<string> {
  const { inputs } = await prepare(root, options);
  expect(inputs).toMatch(/^sha256:[0-9a-f]{64}$/);
  return inputs!;
}

const folder = (config: object = {}) => ({
  'lambda.config.json': JSON.stringify({ functionName: 'fn', repository: 'repo', baseImage: BASE, ...config }),
  'index.js': 'exports.handler = async () => "one";\n',
  'lib/util.js': 'module.exports = 1;\n',
  '.dockerignore': 'ignored/\n*.log\n',
  'ignored/notes.txt': 'left out\n',
  'debug.log': 'left out\n',
});

describe('the build-inputs hash', () => {
  it('is the same for the same inputs, whatever the files’ times or the files .dockerignore leaves out', async () => {
    const root = await makeProject(folder());
    const first = await inputsOf(root);
    expect(await inputsOf(root)).toBe(first);
    await utimes(join(root, 'index.js'), new Date(2000, 1, 1), new Date(2000, 1, 1));
    await writeFile(join(root, 'ignored/notes.txt'), 'changed, and still left out\n');
    await writeFile(join(root, 'ignored/new.txt'), 'new, and left out\n');
    await writeFile(join(root, 'debug.log'), 'more log\n');
    expect(await inputsOf(root)).toBe(first);
  });

  it('changes with any file the context sends: content, a new file, a removed one, a mode, a link target', async () => {
    const root = await makeProject({ ...folder(), 'link.js': { symlink: 'index.js' } });
    const seen = new Set([await inputsOf(root)]);
    const changes: Array<() => Promise<unknown>> = [
      () => writeFile(join(root, 'lib/util.js'), 'module.exports = 2;\n'),
      () => writeFile(join(root, 'lib/extra.js'), '\n'),
      () => unlink(join(root, 'lib/extra.js')).then(() => writeFile(join(root, 'lib/other.js'), '\n')),
      () => chmod(join(root, 'index.js'), 0o755),
      () => rm(join(root, 'link.js')).then(() => symlink('lib/util.js', join(root, 'link.js'))),
      () => writeFile(join(root, '.dockerignore'), 'ignored/\n'),
    ];
    for (const change of changes) {
      await change();
      const hash = await inputsOf(root);
      expect(seen.has(hash), String(change)).toBe(false);
      seen.add(hash);
    }
  });

  it('changes with the base image, by reference and by the ID the engine has for it', async () => {
    const root = await makeProject(folder());
    const first = await inputsOf(root);
    const original = engineIds[BASE]!;
    engineIds[BASE] = `sha256:${'c'.repeat(64)}`;
    try {
      // The same reference, pulled again as another image: a new base.
      expect(await inputsOf(root)).not.toBe(first);
    } finally {
      engineIds[BASE] = original;
    }
    expect(await inputsOf(root)).toBe(first);
    await writeFile(
      join(root, 'lambda.config.json'),
      JSON.stringify({ ...JSON.parse(folder()['lambda.config.json']), baseImage: OTHER_BASE }),
    );
    expect(await inputsOf(root)).not.toBe(first);
  });

  it('changes with each build setting: build args, labels, target, architecture, a program, the handler', async () => {
    const settings = [
      {},
      { buildArgs: { MODE: 'a' } },
      { buildArgs: { MODE: 'b' } },
      { labels: { team: 'x' } },
      { architecture: 'arm64' },
      { handler: 'lib/util.handler' },
      { program: { command: ['./server'] } },
      { program: { command: ['./server'], protocol: 'http' } },
      { target: 'final' },
    ];
    const hashes = [];
    for (const config of settings) hashes.push(await inputsOf(await makeProject(folder(config))));
    expect(new Set(hashes).size).toBe(settings.length);
  });

  it('changes with a bundled handler’s output, and not with a file the bundle does not read', async () => {
    const files = {
      'lambda.config.json': JSON.stringify({ functionName: 'fn', repository: 'repo', baseImage: BASE }),
      'index.ts': 'import { n } from "./n";\nexport const handler = async () => n;\n',
      'n.ts': 'export const n = 1;\n',
      'unused.ts': 'export const u = 1;\n',
    };
    const root = await makeProject(files);
    const first = await inputsOf(root, {});
    await writeFile(join(root, 'unused.ts'), 'export const u = 2;\n');
    expect(await inputsOf(root, {})).toBe(first);
    await writeFile(join(root, 'n.ts'), 'export const n = 2;\n');
    expect(await inputsOf(root, {})).not.toBe(first);
  });

  it('pins every image a user Dockerfile reads, and is left undefined when one is not in the engine', async () => {
    const dockerfile = (base: string) =>
      `FROM ${BASE} AS deps\nRUN true\nFROM ${base}\nCOPY --from=deps /x /x\nCOPY . .\n`;
    const root = await makeProject({ ...folder(), Dockerfile: dockerfile(OTHER_BASE) });
    const first = await inputsOf(root);
    engineIds[OTHER_BASE] = `sha256:${'d'.repeat(64)}`;
    try {
      expect(await inputsOf(root)).not.toBe(first);
    } finally {
      engineIds[OTHER_BASE] = `sha256:${'b'.repeat(64)}`;
    }
    await writeFile(join(root, 'Dockerfile'), dockerfile('example/missing:1'));
    expect((await prepare(root)).inputs).toBeUndefined();
  });
});
