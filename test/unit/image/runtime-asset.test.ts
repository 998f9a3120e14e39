// The runtime as images carry it: every file of runtime/ with its whole-line comments emptied must be the same
// program, token for token, as esbuild reads both (whitespace and comments minified away), with the same lines.
import { readdirSync, readFileSync } from 'node:fs';
import { transform } from 'esbuild';
import { describe, expect, it } from 'vitest';
import {
  RUNTIME_CONTEXT_DIR,
  RUNTIME_SOURCE_DIR,
  runtimeContextFiles,
  withoutCommentLines,
} from '../../../src/image/runtime-asset.js';

const tokens = async (code: string) => (await transform(code, { loader: 'js', minifyWhitespace: true })).code;
const runtimeFiles = readdirSync(RUNTIME_SOURCE_DIR).filter((name) => name.endsWith('.cjs'));

describe('withoutCommentLines', () => {
  it.each(runtimeFiles)('%s: the same tokens on the same lines, with fewer bytes', async (name) => {
    const source = readFileSync(`${RUNTIME_SOURCE_DIR}${name}`, 'utf8');
    const shipped = withoutCommentLines(source);
    expect(await tokens(shipped)).toBe(await tokens(source));
    expect(shipped.split('\n').length).toBe(source.split('\n').length);
    expect(shipped.length).toBeLessThan(source.length);
  });

  it('keeps code after a comment, casts, and comment-like text inside strings', () => {
    const source = [
      "'use strict';",
      '// gone',
      '/** gone',
      ' * gone too */',
      'const a = 1; // kept: code comes first',
      '  /** @type {number} */ (a);',
      "const s = '// not a comment';",
      '/* one line, gone */',
    ].join('\n');
    expect(withoutCommentLines(source).split('\n')).toEqual([
      "'use strict';",
      '',
      '',
      '',
      'const a = 1; // kept: code comes first',
      '  /** @type {number} */ (a);',
      "const s = '// not a comment';",
      '',
    ]);
  });

  it('leaves a file alone when a block comment ends with code behind it on its last line', () => {
    const source = '/* a block\n over two lines */ const a = 1;\n';
    expect(withoutCommentLines(source)).toBe(source);
  });
});

describe('runtimeContextFiles', () => {
  it('ships the loop without its comment lines, the program adapters as they are', async () => {
    const files = await runtimeContextFiles();
    const loop = files.find((file) => file.path === `${RUNTIME_CONTEXT_DIR}/loop.cjs`)!;
    expect(loop.content.toString()).toBe(withoutCommentLines(readFileSync(`${RUNTIME_SOURCE_DIR}loop.cjs`, 'utf8')));
    const adapter = files.find((file) => file.path.startsWith(`${RUNTIME_CONTEXT_DIR}/adapters/`))!;
    const name = adapter.path.slice(RUNTIME_CONTEXT_DIR.length + 1);
    expect(Buffer.from(adapter.content).equals(readFileSync(`${RUNTIME_SOURCE_DIR}${name}`))).toBe(true);
  });
});
