// Finds the packages a bundle must leave out (native addons, and those the config lists) and what they need at run time.
import { opendir, readFile, stat } from 'node:fs/promises';
import { isBuiltin } from 'node:module';
import { dirname, join, sep } from 'node:path';

export interface ExternalPackage {
  name: string;
  /** Absolute folder of the installed package. */
  dir: string;
}

interface Manifest {
  name?: string;
  gypfile?: boolean;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
}

/** Packages whose only job is loading a compiled addon: depending on one means the package is native. */
const ADDON_LOADERS = new Set([
  'bindings',
  'node-gyp-build',
  'prebuild-install',
  'node-pre-gyp',
  '@mapbox/node-pre-gyp',
  'node-gyp-build-optional-packages',
]);

/** `@scope/name/sub/path` → `@scope/name`; `name/sub` → `name`; relative, absolute and built-in specifiers → undefined. */
export function packageNameOf(specifier: string): string | undefined {
  if (specifier.startsWith('.') || specifier.startsWith('/') || isBuiltin(specifier)) return undefined;
  const parts = specifier.split('/');
  const name = specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
  return name && /^(@[a-z0-9][\w.-]*\/)?[a-z0-9][\w.-]*$/i.test(name) ? name : undefined;
}

export async function readManifest(dir: string): Promise<Manifest | undefined> {
  try {
    return JSON.parse(await readFile(join(dir, 'package.json'), 'utf8')) as Manifest;
  } catch {
    return undefined;
  }
}

const exists = (path: string) =>
  stat(path).then(
    () => true,
    () => false,
  );

/** Finds an installed package the way Node does: node_modules folders from `fromDir` upward. */
export async function findPackageDir(name: string, fromDir: string): Promise<string | undefined> {
  for (let dir = fromDir; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', ...name.split('/'));
    if (await exists(join(candidate, 'package.json'))) return candidate;
    if (dirname(dir) === dir) return undefined;
  }
}

/**
 * The root of the package `name` that holds `file`: the last node_modules/name segment of its path, or
 * (for a linked workspace package, whose real path has none) the nearest folder whose package.json has that name.
 */
export async function packageRootOf(file: string, name: string): Promise<string | undefined> {
  const marker = `${sep}node_modules${sep}${name.split('/').join(sep)}${sep}`;
  const at = file.lastIndexOf(marker);
  if (at >= 0) return file.slice(0, at + marker.length - 1);
  for (let dir = dirname(file); dirname(dir) !== dir; dir = dirname(dir)) {
    const manifest = await readManifest(dir);
    if (manifest?.name) return manifest.name === name ? dir : undefined;
  }
  return undefined;
}

/** Whether a package folder holds a compiled addon (`.node` files), not counting its own node_modules. */
async function holdsAddonFile(dir: string, depth = 0): Promise<boolean> {
  if (depth > 5) return false;
  let handle;
  try {
    handle = await opendir(dir);
  } catch {
    return false;
  }
  for await (const entry of handle) {
    if (entry.isFile() && entry.name.endsWith('.node')) return true;
    if (entry.isDirectory() && entry.name !== 'node_modules' && !entry.name.startsWith('.')) {
      if (await holdsAddonFile(join(dir, entry.name), depth + 1)) return true;
    }
  }
  return false;
}

/**
 * A package cannot be bundled when it compiles or loads a native addon: `binding.gyp`, `"gypfile": true`,
 * a `.node` file, a dependency on an addon loader, or an optional dependency that ships one (sharp's
 * per-platform packages).
 */
export async function isNativePackage(dir: string): Promise<boolean> {
  const manifest = await readManifest(dir);
  if (manifest?.gypfile || (await exists(join(dir, 'binding.gyp')))) return true;
  const deps = Object.keys({ ...manifest?.dependencies, ...manifest?.optionalDependencies });
  if (deps.some((dep) => ADDON_LOADERS.has(dep))) return true;
  if (await holdsAddonFile(dir)) return true;
  for (const optional of Object.keys(manifest?.optionalDependencies ?? {})) {
    const optionalDir = await findPackageDir(optional, dir);
    if (optionalDir && (await holdsAddonFile(optionalDir))) return true;
  }
  return false;
}

/**
 * The packages plus every production dependency they need, each found from the package that requires it:
 * dependencies, optional ones and peers (a peer is the package's to require, even when the project installed
 * it). Optional dependencies and optional peers that are not installed are skipped, as npm does.
 */
export async function productionClosure(
  roots: ExternalPackage[],
): Promise<{ packages: ExternalPackage[]; missing: string[] }> {
  const seen = new Map<string, ExternalPackage>();
  const missing: string[] = [];
  const queue = [...roots];
  while (queue.length > 0) {
    const pkg = queue.shift()!;
    if (seen.has(pkg.dir)) continue;
    seen.set(pkg.dir, pkg);
    const manifest = await readManifest(pkg.dir);
    const required = Object.keys(manifest?.dependencies ?? {});
    const peers = Object.keys(manifest?.peerDependencies ?? {});
    const optional = [
      ...Object.keys(manifest?.optionalDependencies ?? {}),
      ...peers.filter((name) => manifest?.peerDependenciesMeta?.[name]?.optional === true),
    ];
    for (const name of new Set([...required, ...optional, ...peers])) {
      const dir = await findPackageDir(name, pkg.dir);
      if (dir) queue.push({ name, dir });
      else if (!optional.includes(name)) missing.push(`${name} (needed by ${pkg.name})`);
    }
  }
  return { packages: [...seen.values()], missing };
}
