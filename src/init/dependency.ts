// How a scaffolded project depends on tslambda: by registry version, or by path when this copy is not installed.
import { sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The folder of the tslambda that is running (the one holding its package.json), with symlinks resolved by Node. */
export const runningPackageRoot = (): string => fileURLToPath(new URL('../../', import.meta.url)).replace(/[\\/]$/, '');

/**
 * `^<version>` when the running tslambda was installed by npm (it lives under a node_modules folder: a project,
 * npx's cache, a global install); otherwise it runs from a clone, whose version the registry may not have,
 * so the project references that folder (`file:/abs/path`), which npm install links.
 */
export function tslambdaDependency(version: string, packageRoot: string): string {
  return packageRoot.split(/[\\/]/).includes('node_modules')
    ? `^${version}`
    : `file:${packageRoot.split(sep).join('/')}`;
}
