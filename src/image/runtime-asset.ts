// The runtime loop shipped inside every image: read from the package's runtime/ folder, added to every build context.
import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { ContextFile } from './context.js';

/** Where the package keeps the runtime loop (runtime/ beside dist/). */
export const RUNTIME_SOURCE_DIR = fileURLToPath(new URL('../../runtime/', import.meta.url));
/** Where the runtime sits in the build context, and where every image holds it. */
export const RUNTIME_CONTEXT_DIR = '.tslambda/runtime';
export const RUNTIME_IMAGE_DIR = '/opt/tslambda/runtime';
export const RUNTIME_ENTRY = 'bootstrap.cjs';
export const RUNTIME_ENTRYPOINT = ['node', `${RUNTIME_IMAGE_DIR}/${RUNTIME_ENTRY}`];
export const TASK_ROOT = '/var/task';

/** The program adapters (any language): bootstrap.cjs loads them only for a `program` handler. */
const PROGRAM_PART = /^(program[^/]*\.cjs|adapters\/)/;

/**
 * The runtime's files for a build context. A Node handler's generated image leaves the program adapters out, so
 * the loop every function carries stays small; a program, or a Dockerfile of the user's, gets them all.
 */
export async function runtimeContextFiles(options: { programs?: boolean } = {}): Promise<ContextFile[]> {
  const programs = options.programs ?? true;
  const names = (await readdir(RUNTIME_SOURCE_DIR, { recursive: true, withFileTypes: true }))
    .filter((entry) => entry.isFile())
    .map((entry) =>
      `${entry.parentPath ?? entry.path}/${entry.name}`.slice(RUNTIME_SOURCE_DIR.length).replace(/^\/+/, ''),
    )
    .filter((name) => programs || !PROGRAM_PART.test(name))
    .sort();
  return Promise.all(
    names.map(async (name) => {
      const content = await readFile(`${RUNTIME_SOURCE_DIR}${name}`);
      return {
        path: `${RUNTIME_CONTEXT_DIR}/${name}`,
        content: name.endsWith('.cjs') ? Buffer.from(withoutCommentLines(content.toString('utf8'))) : content,
        mode: 0o644,
      };
    }),
  );
}

/**
 * A runtime file as images carry it: its whole-line comments emptied, code and line numbers as they are (a stack
 * still points at the right line of runtime/). The comments and the JSDoc that types the runtime for tsc are about
 * half its bytes, and every image carries them. A block comment that ends with code after it leaves the file as it
 * is. Meant for runtime/ alone: a template literal with a line that starts like a comment would be cut
 * (test/unit/image/runtime-asset.test.ts checks every file against esbuild's reading of it).
 */
export function withoutCommentLines(source: string): string {
  const lines = source.split('\n');
  let inBlock = false;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (inBlock) {
      lines[i] = '';
      if (line.includes('*/')) {
        if (!line.endsWith('*/')) return source;
        inBlock = false;
      }
    } else if (line.startsWith('//')) {
      lines[i] = '';
    } else if (line.startsWith('/*')) {
      const end = line.indexOf('*/', 2);
      if (end === -1) inBlock = true;
      else if (end !== line.length - 2) continue; // code after it: a cast such as `/** @type {X} */ (value)`
      lines[i] = '';
    }
  }
  return lines.join('\n');
}
