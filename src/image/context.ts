// Streams a build context as a tar: the context folder filtered by .dockerignore, plus files tslambda adds.
import type { ContextFile } from '../core/files.js';
import type { Dirent } from 'node:fs';
import { opendir, readFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import type { Pack } from 'tar-stream';
import { ExitCode, UserError } from '../core/errors.js';

/** A file that exists only in the tar stream (the runtime asset, a generated Dockerfile, a bundle). */
export type { ContextFile };

export interface ContextPlan {
  /** The context folder; undefined when the context is made only of extra files (bundled handlers). */
  directory?: string;
  /**
   * Where the folder's files go inside the tar ('' = the root). A generated Dockerfile puts them under
   * .tslambda/app so that copying the app into the image does not also copy tslambda's own files.
   */
  directoryPrefix?: string;
  /** Path of the Dockerfile inside the folder, always sent even when .dockerignore lists it. */
  dockerfilePath?: string;
  extraFiles: ContextFile[];
}

export interface BuildContext {
  stream: NodeJS.ReadableStream;
  /** Every path the tar holds from the folder, sorted, for tests and --verbose. */
  entries: string[];
  /** Files that look like secrets and are being sent: the user should add them to .dockerignore. */
  suspectedSecrets: string[];
}

/** tslambda owns this folder in every context; a user's folder of that name would collide. */
export const RESERVED_DIR = '.tslambda';

export async function readDockerignore(directory: string): Promise<string[]> {
  const text = await readFile(join(directory, '.dockerignore'), 'utf8').catch(() => '');
  return text.split(/\r?\n/);
}

const SECRET_NAME =
  /^(\.env(\.(?!example$|sample$|template$|dist$)[\w.-]+)?|.*\.pem|.*\.key|id_(rsa|dsa|ecdsa|ed25519)(\.pub)?|\.npmrc|credentials)$/;

async function looksLikeSecret(path: string, name: string): Promise<boolean> {
  if (!SECRET_NAME.test(name) || name.endsWith('.pub')) return false;
  // An .npmrc is only a secret when it holds a token.
  if (name === '.npmrc') return /_authToken|_auth\s*=|_password/.test(await readFile(path, 'utf8').catch(() => ''));
  return true;
}

/** Walks the folder once and decides, with Docker's .dockerignore semantics, which paths go into the tar. */
export async function selectContextEntries(
  directory: string,
  patterns: string[],
  alwaysInclude: string[] = [],
): Promise<{ entries: string[]; suspectedSecrets: string[] }> {
  // Loaded here, not with the module: a build shows its first step before this runs. The package is CommonJS and
  // also exports itself as `default`, which is what its types describe.
  const { default: dockerignore } = await import('@balena/dockerignore');
  const matcher = dockerignore.default().add(patterns);
  // With an exception (!pattern) an ignored folder may still hold included files, so it must be walked.
  const hasExceptions = patterns.some((p) => p.trim().startsWith('!'));
  const forced = new Set(['.dockerignore', ...alwaysInclude]);
  const entries: string[] = [];
  const suspectedSecrets: string[] = [];

  async function walk(absolute: string, rel: string): Promise<boolean> {
    let includedAny = false;
    for await (const dirent of await opendir(absolute)) {
      const childRel = rel ? `${rel}/${dirent.name}` : dirent.name;
      if (!rel && dirent.name === RESERVED_DIR) continue;
      const ignored = !forced.has(childRel) && matcher.ignores(childRel);
      const childAbs = join(absolute, dirent.name);
      if (dirent.isDirectory()) {
        const holdsForced = [...forced].some((path) => path.startsWith(`${childRel}/`));
        if (ignored && !hasExceptions && !holdsForced) continue;
        const before = entries.length;
        entries.push(childRel);
        const childIncluded = await walk(childAbs, childRel);
        if (ignored && !childIncluded) entries.splice(before, 1);
        else includedAny = true;
      } else if (!ignored) {
        if (!dirent.isFile() && !dirent.isSymbolicLink()) throw unsendable(childRel, dirent);
        entries.push(childRel);
        includedAny = true;
        if (await looksLikeSecret(childAbs, dirent.name)) suspectedSecrets.push(childRel);
      }
    }
    return includedAny;
  }

  await walk(directory, '');
  entries.sort();
  return { entries, suspectedSecrets };
}

/** A fifo, socket or device cannot go into a tar the way Docker reads it (and a fifo would block the read). */
function unsendable(path: string, dirent: Dirent): UserError {
  const kind = dirent.isFIFO() ? 'a named pipe (fifo)' : dirent.isSocket() ? 'a socket' : 'a device file';
  return new UserError(`the build context holds ${kind}, which cannot be sent to the engine: ${path}`, {
    exitCode: ExitCode.buildFailed,
    hint: `add \`${path}\` to .dockerignore`,
  });
}

/**
 * tar-stream's packs are streamx streams: they pipe as Node streams do, which is all the engine client does with
 * them, but their types are not Node's. Checked, not cast.
 */
function asNodeStream(stream: unknown): NodeJS.ReadableStream {
  if (typeof stream === 'object' && stream !== null && 'pipe' in stream && typeof stream.pipe === 'function')
    return stream as NodeJS.ReadableStream;
  throw new Error('the tar packer returned something that cannot be piped');
}

function addExtraFiles(pack: Pack, files: ContextFile[]) {
  for (const file of files) {
    const content = typeof file.content === 'string' ? Buffer.from(file.content) : file.content;
    pack.entry({ name: file.path, mode: file.mode ?? 0o644, uid: 0, gid: 0, mtime: new Date(0) }, content);
  }
  pack.finalize();
}

/** The folder's paths a plan sends (.dockerignore applied), unprefixed; none when the plan has no folder. */
export interface ContextSelection {
  entries: string[];
  suspectedSecrets: string[];
}

/** Walks the plan's folder once: what the tar will hold from it. The inputs hash (inputs.ts) reads the same list. */
export async function selectContext(plan: ContextPlan): Promise<ContextSelection> {
  if (!plan.directory) return { entries: [], suspectedSecrets: [] };
  return selectContextEntries(
    plan.directory,
    await readDockerignore(plan.directory),
    plan.dockerfilePath ? [plan.dockerfilePath] : [],
  );
}

/** The tar stream of a plan; `selection` when the folder was already walked for it. */
export async function createBuildContext(plan: ContextPlan, selection?: ContextSelection): Promise<BuildContext> {
  if (!plan.directory) {
    const { pack } = await import('tar-stream');
    const stream = pack();
    addExtraFiles(stream, plan.extraFiles);
    return {
      stream: asNodeStream(stream),
      entries: plan.extraFiles.map((f) => f.path).sort(),
      suspectedSecrets: [],
    };
  }
  const directory = plan.directory;
  const { entries, suspectedSecrets } = selection ?? (await selectContext(plan));
  const { pack: packDirectory } = await import('tar-fs');
  const included = new Set(entries);
  const prefix = plan.directoryPrefix ? `${plan.directoryPrefix.replace(/\/+$/, '')}/` : '';
  const stream = packDirectory(directory, {
    ignore: (name) => {
      const rel = relative(directory, name).split(sep).join('/');
      return rel !== '' && !included.has(rel);
    },
    // The daemon gets files owned by root, as the docker CLI sends them.
    map: (header) => ({
      ...header,
      name: header.name === '.' ? prefix.slice(0, -1) || '.' : prefix + header.name,
      uid: 0,
      gid: 0,
      uname: '',
      gname: '',
    }),
    finalize: false,
    finish: (pack) => addExtraFiles(pack, plan.extraFiles),
  });
  return {
    stream: asNodeStream(stream),
    entries: [...entries.map((e) => prefix + e), ...plan.extraFiles.map((f) => f.path)].sort(),
    suspectedSecrets,
  };
}
