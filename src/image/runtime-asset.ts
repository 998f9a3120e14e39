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
    names.map(async (name) => ({
      path: `${RUNTIME_CONTEXT_DIR}/${name}`,
      content: await readFile(`${RUNTIME_SOURCE_DIR}${name}`),
      mode: 0o644,
    })),
  );
}
