// Lambda layers in a container image: each layer's files (a folder, or a layer version's zip) travel in the build
// context under .tslambda/layers/<n>/ and are copied into /opt, in the order of "layers" (a later one wins a path).
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { ExitCode, UserError } from '../core/errors.js';
import type { ContextFile } from './context.js';

// zlib loads when a layer is read, not with every build's modules (before its first line).
const inflate = (data: Buffer) => process.getBuiltinModule('node:zlib').inflateRawSync(data);

export const LAYERS_CONTEXT_DIR = '.tslambda/layers';
/** Where Lambda mounts layers, and where extensions are looked for (/opt/extensions). */
export const LAYERS_IMAGE_DIR = '/opt';
/** The stage added after a user's `target` stage when layers must be copied into it. */
export const LAYERS_STAGE = 'tslambda-layers';

export interface Layer {
  /** As written in "layers": a folder or an ARN. */
  source: string;
  /** Paths relative to the layer's root (= /opt), with their modes. */
  files: ContextFile[];
}

/** A folder's files as they are, executable bits kept (an extension must stay executable). */
export async function readLayerFolder(dir: string, source: string): Promise<Layer> {
  const info = await stat(dir).catch(() => undefined);
  if (!info?.isDirectory())
    throw new UserError(`layer folder ${source} does not exist`, {
      exitCode: ExitCode.usage,
      hint: 'fix "layers" in lambda.config.json (folders are relative to the config file), or create the folder',
    });
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  const files: ContextFile[] = [];
  for (const entry of entries) {
    if (!entry.isFile()) continue;
    const absolute = join(entry.parentPath ?? entry.path, entry.name);
    const { mode } = await stat(absolute);
    files.push({
      path: absolute
        .slice(dir.length + 1)
        .split('\\')
        .join('/'),
      content: await readFile(absolute),
      mode,
    });
  }
  return { source, files: files.sort((a, b) => a.path.localeCompare(b.path)) };
}

/** A layer version's zip: stored and deflated entries, Unix modes when the zip carries them; no zip64. */
export function readLayerZip(zip: Buffer, source: string): Layer {
  const bad = (why: string) =>
    new UserError(`layer ${source} is not a zip tslambda can read: ${why}`, { exitCode: ExitCode.awsError });
  const end = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  if (end < 0 || end + 22 > zip.length) throw bad('no end of central directory');
  const count = zip.readUInt16LE(end + 10);
  let offset = zip.readUInt32LE(end + 16);
  if (offset === 0xffffffff) throw bad('zip64 archives are not supported');
  const files: ContextFile[] = [];
  for (let index = 0; index < count; index++) {
    if (zip.readUInt32LE(offset) !== 0x02014b50) throw bad('broken central directory');
    const madeBy = zip.readUInt16LE(offset + 4) >> 8;
    const method = zip.readUInt16LE(offset + 10);
    const compressedSize = zip.readUInt32LE(offset + 20);
    const nameLength = zip.readUInt16LE(offset + 28);
    const extraLength = zip.readUInt16LE(offset + 30);
    const commentLength = zip.readUInt16LE(offset + 32);
    const external = zip.readUInt32LE(offset + 38);
    const local = zip.readUInt32LE(offset + 42);
    const name = zip.toString('utf8', offset + 46, offset + 46 + nameLength);
    offset += 46 + nameLength + extraLength + commentLength;
    const unixMode = madeBy === 3 ? external >>> 16 : 0;
    const type = unixMode & 0o170000;
    // Folders are implied by their files; links are left out (the context carries regular files only).
    if (name.endsWith('/') || (type !== 0 && type !== 0o100000)) continue;
    if (name.startsWith('/') || name.split('/').includes('..')) throw bad(`unsafe path ${name}`);
    const dataStart = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
    const data = zip.subarray(dataStart, dataStart + compressedSize);
    if (method !== 0 && method !== 8) throw bad(`${name} uses compression method ${method}`);
    const content = method === 8 ? inflate(data) : data;
    files.push({ path: name, content, mode: unixMode & 0o7777 || 0o644 });
  }
  return { source, files: files.sort((a, b) => a.path.localeCompare(b.path)) };
}

/** The layers' files in the build context, one folder per layer. */
export function layerContextFiles(layers: Layer[]): ContextFile[] {
  return layers.flatMap((layer, index) =>
    layer.files.map((file) => ({ ...file, path: `${LAYERS_CONTEXT_DIR}/${index}/${file.path}` })),
  );
}

/** One COPY per layer holding files, in order. */
export function layerCopyLines(layers: Layer[]): string[] {
  return layers.flatMap((layer, index) =>
    layer.files.length > 0 ? [`COPY ${LAYERS_CONTEXT_DIR}/${index}/ ${LAYERS_IMAGE_DIR}/`] : [],
  );
}

/**
 * A user's Dockerfile with the layers added: appended to its last stage (the image Lambda runs), or, when the
 * build targets a stage, in a stage of its own over that one, which the build then targets.
 */
export function appendLayers(
  dockerfile: string,
  layers: Layer[],
  target: string | undefined,
): { dockerfile: string; target?: string } {
  const copies = layerCopyLines(layers);
  if (copies.length === 0) return { dockerfile, target };
  const head = dockerfile.endsWith('\n') ? dockerfile : `${dockerfile}\n`;
  const added = ['# Added by tslambda: the "layers" of lambda.config.json.', ...copies];
  if (target === undefined) return { dockerfile: `${head}${added.join('\n')}\n` };
  return { dockerfile: `${head}FROM ${target} AS ${LAYERS_STAGE}\n${added.join('\n')}\n`, target: LAYERS_STAGE };
}
