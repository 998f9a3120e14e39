// Finds a JSON config file as cosmiconfig's search (and load) would, without loading cosmiconfig (about 30 ms of
// start-up, most of it its JSON error formatter): lambda.config.json, .lambdarc.json, package.json's "lambda" key.
// Whatever only cosmiconfig decides (a module or YAML file, `$import`, a file it refuses, a cosmiconfig meta config,
// the global config folder) is left to it: `undefined` means "ask cosmiconfig".
// test/unit/config/quick-search.test.ts holds the two to the same answers, tree by tree.
import { readFile, stat } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';

export interface QuickFound {
  /** undefined: the file is empty. */
  config: Record<string, unknown> | undefined;
  filepath: string;
}

/** What cosmiconfig's search from `cwd` (upward to /) finds, or undefined when only cosmiconfig can tell. */
export async function quickSearch(cwd: string, places: readonly string[]): Promise<QuickFound | undefined> {
  if (await metaConfigMayApply()) return undefined;
  for (let dir = cwd; ; dir = dirname(dir)) {
    for (const place of places) {
      const filepath = join(dir, place);
      const read = await readPlace(filepath);
      if (read === 'absent') continue;
      if (read === 'unsure' || extname(place) !== '.json') return undefined;
      if (read.trim() === '') continue;
      const parsed = plainObject(read);
      if (!parsed) return undefined;
      if (basename(place) !== 'package.json') return decided(parsed, filepath);
      // package.json counts only with its "lambda" key; without one the search goes on.
      if (parsed.lambda === undefined || parsed.lambda === null) continue;
      return isPlainObject(parsed.lambda) ? decided(parsed.lambda, filepath) : undefined;
    }
    if (dir === dirname(dir)) return undefined;
  }
}

/** What cosmiconfig's load of one file (--config) gives, or undefined when only cosmiconfig can tell. */
export async function quickLoad(filepath: string): Promise<QuickFound | undefined> {
  if (extname(filepath) !== '.json' || basename(filepath) === 'package.json') return undefined;
  if (await metaConfigMayApply()) return undefined;
  const read = await readPlace(filepath);
  if (typeof read !== 'string') return undefined;
  if (read.trim() === '') return { config: undefined, filepath };
  const parsed = plainObject(read);
  return parsed ? decided(parsed, filepath) : undefined;
}

/** `$import` pulls other files in, which cosmiconfig merges. */
const decided = (config: Record<string, unknown>, filepath: string) =>
  Object.hasOwn(config, '$import') ? undefined : { config, filepath };

/** cosmiconfig skips a place it cannot read for these reasons, and fails on any other. */
async function readPlace(filepath: string): Promise<string | 'absent' | 'unsure'> {
  try {
    return await readFile(filepath, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code === 'ENOENT' || code === 'EISDIR' || code === 'ENOTDIR' || code === 'EACCES' ? 'absent' : 'unsure';
  }
}

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** A JSON object, or undefined for anything cosmiconfig would treat in its own way (other JSON, a syntax error). */
function plainObject(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return isPlainObject(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

/**
 * cosmiconfig reads options for every tool from the process's working folder (not --cwd): a "cosmiconfig" key in
 * package.json, a package.yaml, or a .config/config.* file. With any of them, it decides.
 */
async function metaConfigMayApply(): Promise<boolean> {
  const folder = process.cwd();
  const exists = (name: string) =>
    stat(join(folder, name)).then(
      () => true,
      () => false,
    );
  if ((await exists('.config')) || (await exists('package.yaml'))) return true;
  const read = await readPlace(join(folder, 'package.json'));
  if (read === 'absent') return false;
  if (read === 'unsure') return true;
  const parsed = plainObject(read);
  return !parsed || Object.hasOwn(parsed, 'cosmiconfig');
}
