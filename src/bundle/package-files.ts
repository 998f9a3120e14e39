// Turns the external packages of a bundle into build-context files under the app's node_modules.
import { lstat, opendir, readFile, realpath } from 'node:fs/promises';
import { join, sep } from 'node:path';
import type { ContextFile } from '../core/files.js';
import type { ExternalPackage } from './externals.js';

async function* walkFiles(dir: string, rel = ''): AsyncGenerator<{ abs: string; rel: string }> {
  for await (const entry of await opendir(dir)) {
    const abs = join(dir, entry.name);
    const childRel = rel ? `${rel}/${entry.name}` : entry.name;
    // Links inside a package are npm's .bin shims: nothing at run time needs them.
    if (entry.isSymbolicLink()) continue;
    if (entry.isDirectory()) yield* walkFiles(abs, childRel);
    else if (entry.isFile()) yield { abs, rel: childRel };
  }
}

/**
 * Every file of every package at `<prefix>/node_modules/<name>/…`, modes kept. A package installed inside
 * another one's node_modules comes along with its parent's folder and is not listed twice.
 */
export async function externalPackageFiles(packages: ExternalPackage[], prefix: string): Promise<ContextFile[]> {
  const real = await Promise.all(packages.map(async (pkg) => ({ ...pkg, dir: await realpath(pkg.dir) })));
  const top = real.filter((pkg) => !real.some((other) => other !== pkg && pkg.dir.startsWith(other.dir + sep)));
  const files: ContextFile[] = [];
  for (const pkg of top) {
    for await (const file of walkFiles(pkg.dir)) {
      const { mode } = await lstat(file.abs);
      files.push({
        path: `${prefix}/node_modules/${pkg.name}/${file.rel}`,
        content: await readFile(file.abs),
        mode: mode & 0o777,
      });
    }
  }
  return files;
}
