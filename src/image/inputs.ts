// The build-inputs hash: one digest of everything a build sends to the engine (the context's files as the tar holds
// them, after .dockerignore; the Dockerfile; build args, labels, target stage, platform) and of the images the
// Dockerfile starts from, pinned by the engine's ID. The built image carries it as a label, so that a later deploy
// of the same inputs finds that image and skips the build. File times are left out: the same bytes, the same image.
import { lstat, readFile, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { ContextPlan, ContextSelection } from './context.js';

/** The label that holds the hash on the image. */
export const INPUTS_LABEL = 'dev.tslambda.inputs';

/** What the engine gets besides the context; the one object both the build request and the hash are made of. */
export interface BuildParameters {
  /** The Dockerfile's path inside the context. */
  dockerfile: string;
  platform: string;
  labels: Record<string, string>;
  buildargs: Record<string, string>;
  target?: string;
}

export interface BuildInputs {
  plan: ContextPlan;
  selection: ContextSelection;
  parameters: BuildParameters;
  /** Each image the Dockerfile reads (base-images.ts), with the ID the engine has for it. */
  baseImages: Record<string, string>;
}

const sorted = (map: Record<string, string>) => Object.entries(map).sort(([a], [b]) => (a < b ? -1 : 1));
type Digest = (data: Buffer | string) => string;

/** `sha256:<hex>` over the inputs; equal for equal inputs, whatever the order of maps or the files' times. */
export async function inputsHash(inputs: BuildInputs): Promise<string> {
  const { parameters, plan } = inputs;
  // node:crypto loads here, not with the module: build imports this before its first line, and crypto is slow to load.
  const { createHash } = await import('node:crypto');
  const sha256: Digest = (data) => createHash('sha256').update(data).digest('hex');
  const hash = createHash('sha256');
  const line = (value: unknown) => hash.update(`${JSON.stringify(value)}\n`);
  line(['tslambda build inputs', 1]);
  line({
    dockerfile: parameters.dockerfile,
    platform: parameters.platform,
    target: parameters.target ?? null,
    labels: sorted(parameters.labels),
    buildargs: sorted(parameters.buildargs),
    baseImages: sorted(inputs.baseImages),
  });
  for (const entry of await folderEntries(plan, inputs.selection.entries, sha256)) line(entry);
  for (const file of plan.extraFiles) line(['extra', file.path, file.mode ?? 0o644, sha256(file.content)]);
  return `sha256:${hash.digest('hex')}`;
}

/** Each folder path as the tar holds it: kind, permission bits, and the content's (or link target's) digest. */
async function folderEntries(plan: ContextPlan, entries: string[], sha256: Digest): Promise<unknown[]> {
  const { directory } = plan;
  if (!directory) return [];
  const prefix = plan.directoryPrefix ? `${plan.directoryPrefix.replace(/\/+$/, '')}/` : '';
  const describe = async (entry: string) => {
    const path = join(directory, entry);
    const stat = await lstat(path);
    const mode = stat.mode & 0o7777;
    if (stat.isSymbolicLink()) return ['link', prefix + entry, mode, await readlink(path)];
    if (stat.isDirectory()) return ['dir', prefix + entry, mode];
    return ['file', prefix + entry, mode, sha256(await readFile(path))];
  };
  // A few files at a time: enough to overlap reads, few enough not to exhaust file handles on large contexts.
  const described: unknown[] = [];
  for (let start = 0; start < entries.length; start += 32)
    described.push(...(await Promise.all(entries.slice(start, start + 32).map(describe))));
  return described;
}

/** The Dockerfile's text: a generated one travels among the extra files, a user's lives in the folder. */
export async function dockerfileOf(plan: ContextPlan, dockerfile: string): Promise<string> {
  const extra = plan.extraFiles.find((file) => file.path === dockerfile);
  if (extra) return extra.content.toString();
  return readFile(join(plan.directory ?? '', dockerfile), 'utf8');
}
