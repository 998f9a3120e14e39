// Re-encodes a build context tar as a zip, entry by entry as it streams: CodeBuild's S3 source is a zip archive.
// No entry is held whole in memory: each is deflated as it arrives, and its CRC and sizes follow it in a data
// descriptor (general-purpose flag bit 3), which is what lets a zip be written without seeking back.
import { Readable } from 'node:stream';
import { createDeflateRaw, crc32 } from 'node:zlib';
import { ExitCode, UserError } from '../core/errors.js';

const LOCAL_HEADER = 0x04034b50;
const DATA_DESCRIPTOR = 0x08074b50;
const CENTRAL_HEADER = 0x02014b50;
const END_OF_CENTRAL_DIRECTORY = 0x06054b50;
/** Bit 3: sizes and CRC follow the data; bit 11: names are UTF-8. */
const FLAGS = 0x0808;
const STORED = 0;
const DEFLATED = 8;
/** Made by Unix (3) so the mode in the external attributes is read; version 2.0 of the format. */
const MADE_BY = (3 << 8) | 20;
const LIMIT = 0xffffffff;
/** 1980-01-01 00:00 in MS-DOS time and date: the zip's fixed timestamp, as the tar's is fixed. */
const DOS_TIME = 0;
const DOS_DATE = (0 << 9) | (1 << 5) | 1;

interface CentralEntry {
  name: Buffer;
  method: number;
  crc: number;
  compressed: number;
  size: number;
  mode: number;
  directory: boolean;
  offset: number;
}

/** The tar entry as tar-stream reads it: a header and its content as an async iterable of chunks. */
interface TarEntry extends AsyncIterable<Buffer> {
  header: { name: string; type?: string | null; mode?: number | null; linkname?: string | null };
}

/** Reads an entry to its end so the tar moves on to the next one. */
async function drain(entry: AsyncIterable<Buffer>): Promise<void> {
  for await (const _ of entry);
}

function localHeader(name: Buffer, method: number): Buffer {
  const header = Buffer.alloc(30);
  header.writeUInt32LE(LOCAL_HEADER, 0);
  header.writeUInt16LE(20, 4);
  header.writeUInt16LE(FLAGS, 6);
  header.writeUInt16LE(method, 8);
  header.writeUInt16LE(DOS_TIME, 10);
  header.writeUInt16LE(DOS_DATE, 12);
  // CRC and sizes (14..25) stay zero: the data descriptor carries them.
  header.writeUInt16LE(name.length, 26);
  return Buffer.concat([header, name]);
}

function dataDescriptor(entry: CentralEntry): Buffer {
  const descriptor = Buffer.alloc(16);
  descriptor.writeUInt32LE(DATA_DESCRIPTOR, 0);
  descriptor.writeUInt32LE(entry.crc >>> 0, 4);
  descriptor.writeUInt32LE(entry.compressed, 8);
  descriptor.writeUInt32LE(entry.size, 12);
  return descriptor;
}

function centralHeader(entry: CentralEntry): Buffer {
  const header = Buffer.alloc(46);
  header.writeUInt32LE(CENTRAL_HEADER, 0);
  header.writeUInt16LE(MADE_BY, 4);
  header.writeUInt16LE(20, 6);
  header.writeUInt16LE(FLAGS, 8);
  header.writeUInt16LE(entry.method, 10);
  header.writeUInt16LE(DOS_TIME, 12);
  header.writeUInt16LE(DOS_DATE, 14);
  header.writeUInt32LE(entry.crc >>> 0, 16);
  header.writeUInt32LE(entry.compressed, 20);
  header.writeUInt32LE(entry.size, 24);
  header.writeUInt16LE(entry.name.length, 28);
  // Unix mode in the high half; MS-DOS directory bit for folders.
  header.writeUInt32LE(((entry.mode << 16) | (entry.directory ? 0x10 : 0)) >>> 0, 38);
  header.writeUInt32LE(entry.offset, 42);
  return Buffer.concat([header, entry.name]);
}

function endOfCentralDirectory(count: number, size: number, offset: number): Buffer {
  const end = Buffer.alloc(22);
  end.writeUInt32LE(END_OF_CENTRAL_DIRECTORY, 0);
  end.writeUInt16LE(count, 8);
  end.writeUInt16LE(count, 10);
  end.writeUInt32LE(size, 12);
  end.writeUInt32LE(offset, 16);
  return end;
}

const tooLarge = () =>
  new UserError('the build context is too large for a zip source bundle (over 4 GB or 65535 files)', {
    exitCode: ExitCode.buildFailed,
    hint: 'list large or generated files in .dockerignore',
  });

/** Deflates one entry's content as it streams, yielding the compressed bytes and filling in CRC and sizes. */
async function* deflated(
  content: Iterable<Buffer> | AsyncIterable<Buffer>,
  entry: CentralEntry,
): AsyncGenerator<Buffer> {
  const deflate = createDeflateRaw({ level: 6 });
  const source = Readable.from(
    (async function* () {
      for await (const chunk of content) {
        entry.crc = crc32(chunk, entry.crc);
        entry.size += chunk.length;
        yield chunk;
      }
    })(),
  );
  source.pipe(deflate);
  for await (const chunk of deflate as AsyncIterable<Buffer>) {
    entry.compressed += chunk.length;
    yield chunk;
  }
}

interface EntryInput {
  path: string;
  kind: 'directory' | 'file' | 'symlink';
  mode?: number | null;
  content: Iterable<Buffer> | AsyncIterable<Buffer>;
}

/** Writes one entry (header, deflated content, descriptor) and returns how it goes into the central directory. */
async function* zipEntry(
  input: EntryInput,
  offset: number,
  done: (entry: CentralEntry) => void,
): AsyncGenerator<Buffer> {
  const directory = input.kind === 'directory';
  const name = Buffer.from(directory ? `${input.path}/` : input.path);
  const typeBits = directory ? 0o040000 : input.kind === 'symlink' ? 0o120000 : 0o100000;
  const entry: CentralEntry = {
    name,
    method: directory ? STORED : DEFLATED,
    crc: 0,
    compressed: 0,
    size: 0,
    mode: typeBits | ((input.mode ?? (directory ? 0o755 : 0o644)) & 0o7777),
    directory,
    offset,
  };
  yield localHeader(name, entry.method);
  if (!directory) yield* deflated(input.content, entry);
  yield dataDescriptor(entry);
  done(entry);
}

export interface ZipOptions {
  /** Put every tar entry under this folder (e.g. "context/"). */
  prefix?: string;
  /** Files added after the tar's entries, at the zip's root. */
  extraFiles?: Array<{ path: string; content: string | Buffer; mode?: number }>;
}

/** The zip's bytes, in order, for the tar's entries; folders, files and symbolic links are kept with their modes. */
export async function* tarToZip(tar: NodeJS.ReadableStream, options: ZipOptions = {}): AsyncGenerator<Buffer> {
  const { extract } = await import('tar-stream');
  const reader = extract();
  // The iterator listens for entries from the start: one arriving before it exists would be lost, and the tar stall.
  const entries = (reader as AsyncIterable<TarEntry>)[Symbol.asyncIterator]();
  tar.pipe(reader as unknown as NodeJS.WritableStream);
  const central: CentralEntry[] = [];
  let offset = 0;
  const add = async function* (input: EntryInput): AsyncGenerator<Buffer> {
    for await (const chunk of zipEntry(input, offset, (entry) => central.push(entry))) {
      offset += chunk.length;
      yield chunk;
    }
    if (offset > LIMIT || central.length > 0xffff) throw tooLarge();
  };
  const prefix = options.prefix ?? '';
  if (prefix) yield* add({ path: prefix.replace(/\/+$/, ''), kind: 'directory', content: [] });
  for await (const item of { [Symbol.asyncIterator]: () => entries }) {
    const { header } = item;
    const kind = header.type ?? 'file';
    const path = header.name.replace(/^\.\//, '').replace(/\/+$/, '');
    if ((kind !== 'directory' && kind !== 'file' && kind !== 'symlink') || path === '' || path === '.') {
      await drain(item);
      continue;
    }
    // A link is stored as a file holding its target, which is how Info-ZIP and CodeBuild's unzip read it back.
    const content = kind === 'file' ? item : [Buffer.from(kind === 'symlink' ? (header.linkname ?? '') : '')];
    yield* add({ path: prefix + path, kind, mode: header.mode, content });
    if (kind !== 'file') await drain(item);
  }
  for (const file of options.extraFiles ?? [])
    yield* add({ path: file.path, kind: 'file', mode: file.mode, content: [Buffer.from(file.content)] });
  let size = 0;
  for (const entry of central) {
    const header = centralHeader(entry);
    size += header.length;
    yield header;
  }
  yield endOfCentralDirectory(central.length, size, offset);
}
