import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { watchBundle, type BundleWatcher, type WatchEvent } from '../../../src/bundle/watch.js';
import { makeProject } from '../../support/temp-project.js';

/** Events in arrival order; next() waits for the following one, failing after a bound instead of sleeping. */
function eventQueue() {
  const events: WatchEvent[] = [];
  const waiting: Array<(event: WatchEvent) => void> = [];
  return {
    push(event: WatchEvent) {
      const waiter = waiting.shift();
      if (waiter) waiter(event);
      else events.push(event);
    },
    next(): Promise<WatchEvent> {
      const ready = events.shift();
      if (ready) return Promise.resolve(ready);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('no bundle event within 10 s')), 10_000);
        waiting.push((event) => {
          clearTimeout(timer);
          resolve(event);
        });
      });
    },
  };
}

const code = (event: WatchEvent) => (event.kind === 'bundled' ? String(event.result.files[0]!.content) : '');

describe('watchBundle', () => {
  let watcher: BundleWatcher | undefined;
  afterEach(async () => {
    await watcher?.stop();
    watcher = undefined;
  });

  it('bundles at once, then again on every change, reporting a broken file and recovering', async () => {
    const root = await makeProject({
      'src/handler.ts': "import { word } from './word.js';\nexport const handler = async () => word;\n",
      'src/word.ts': "export const word: string = 'first';\n",
    });
    const queue = eventQueue();
    watcher = await watchBundle(
      { entry: join(root, 'src/handler.ts'), root, exportPath: 'handler', nodeMajor: 20 },
      (e) => queue.push(e),
    );

    const first = await queue.next();
    expect(first.kind).toBe('bundled');
    expect(code(first)).toContain('"first"');

    // A change to an imported file, not only the entry, gives a new bundle.
    await writeFile(join(root, 'src/word.ts'), "export const word: string = 'second';\n");
    const second = await queue.next();
    expect(code(second)).toContain('"second"');
    expect(code(second)).not.toContain('"first"');

    await writeFile(join(root, 'src/word.ts'), 'export const word: string = ;\n');
    const broken = await queue.next();
    expect(broken.kind).toBe('failed');
    expect(broken.kind === 'failed' && broken.error.message).toMatch(/bundling src\/handler.ts failed: Unexpected ";"/);

    await writeFile(join(root, 'src/word.ts'), "export const word: string = 'third';\n");
    const fixed = await queue.next();
    expect(code(fixed)).toContain('"third"');
    expect(fixed.kind === 'bundled' && fixed.externalsChanged).toBe(false);
  });

  it('says when the external packages change, since they live outside the bundle', async () => {
    const root = await makeProject({
      'src/handler.ts': 'export const handler = async () => 1;\n',
      'node_modules/ext/package.json': JSON.stringify({ name: 'ext', main: 'index.js' }),
      'node_modules/ext/index.js': 'exports.one = 1;\n',
    });
    const queue = eventQueue();
    watcher = await watchBundle(
      { entry: join(root, 'src/handler.ts'), root, exportPath: 'handler', nodeMajor: 20, external: ['ext'] },
      (e) => queue.push(e),
    );
    expect(await queue.next()).toMatchObject({ kind: 'bundled', externalsChanged: false });
    await writeFile(
      join(root, 'src/handler.ts'),
      "import { one } from 'ext';\nexport const handler = async () => one;\n",
    );
    const next = await queue.next();
    expect(next).toMatchObject({ kind: 'bundled', externalsChanged: true });
    expect(next.kind === 'bundled' && next.result.externalPackages.map((p) => p.name)).toEqual(['ext']);
  });
});
