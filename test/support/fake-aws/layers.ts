// Lambda layers in the fake: layer versions published by a test (a zip of files), GetLayerVersion with its
// Content.Location, and the download of that location (a presigned URL on AWS: a plain GET here, unsigned).
import { deflateRawSync, crc32 } from 'node:zlib';
import { AwsFault, type Reply } from './protocol.js';

/** Path prefix of the content URLs the fake hands out in Content.Location. */
export const LAYER_CONTENT_PREFIX = '/fake-layer-content/';

interface LayerVersion {
  arn: string;
  zip: Buffer;
}

export class FakeLayers {
  private readonly versions = new Map<string, LayerVersion>();
  private readonly region: string;
  private readonly accountId: string;
  /** The fake's own address, for Content.Location. */
  endpoint = '';

  constructor(options: { region: string; accountId: string }) {
    this.region = options.region;
    this.accountId = options.accountId;
  }

  /** Publishes a version of `name` holding `files` (path → content, mode); returns its version ARN. */
  publish(name: string, files: Record<string, { content: string | Buffer; mode?: number }>): string {
    const layerArn = `arn:aws:lambda:${this.region}:${this.accountId}:layer:${name}`;
    const version = [...this.versions.keys()].filter((key) => key.startsWith(`${layerArn}:`)).length + 1;
    const arn = `${layerArn}:${version}`;
    this.versions.set(arn, { arn, zip: zipFiles(files) });
    return arn;
  }

  reset(): void {
    this.versions.clear();
  }

  /** GET /2018-10-31/layers/{LayerName}/versions/{VersionNumber}; undefined when the route is not a layer's. */
  handle(method: string, segments: string[]): { operation: string; run: () => Reply } | undefined {
    if (segments[0] !== '2018-10-31' || segments[1] !== 'layers' || segments[3] !== 'versions' || segments.length !== 5)
      return undefined;
    if (method !== 'GET') return undefined;
    const [, , layerName, , versionNumber] = segments as [string, string, string, string, string];
    const layerArn = layerName.startsWith('arn:')
      ? layerName
      : `arn:aws:lambda:${this.region}:${this.accountId}:layer:${layerName}`;
    const arn = `${layerArn}:${versionNumber}`;
    return { operation: 'GetLayerVersion', run: () => this.getLayerVersion(arn) };
  }

  /** The zip behind a content URL, or undefined. */
  content(path: string): Buffer | undefined {
    const arn = decodeURIComponent(path.slice(LAYER_CONTENT_PREFIX.length));
    return this.versions.get(arn)?.zip;
  }

  private getLayerVersion(arn: string): Reply {
    const version = this.versions.get(arn);
    if (!version) throw new AwsFault(404, 'ResourceNotFoundException', 'The resource you requested does not exist.');
    return {
      status: 200,
      body: {
        LayerArn: arn.slice(0, arn.lastIndexOf(':')),
        LayerVersionArn: arn,
        Version: Number(arn.slice(arn.lastIndexOf(':') + 1)),
        CreatedDate: new Date(0).toISOString(),
        Content: {
          Location: `${this.endpoint}${LAYER_CONTENT_PREFIX}${encodeURIComponent(arn)}`,
          CodeSha256: '',
          CodeSize: version.zip.length,
        },
        CompatibleRuntimes: ['nodejs22.x'],
      },
    };
  }
}

/** A zip as Lambda stores layers: deflated entries, made on Unix, modes in the external attributes. */
export function zipFiles(files: Record<string, { content: string | Buffer; mode?: number }>): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const [name, file] of Object.entries(files)) {
    const data = Buffer.isBuffer(file.content) ? file.content : Buffer.from(file.content);
    const compressed = deflateRawSync(data);
    const nameBytes = Buffer.from(name);
    const crc = crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(8, 8);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(compressed.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(nameBytes.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE((3 << 8) | 20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(8, 10);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(compressed.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(nameBytes.length, 28);
    central.writeUInt32LE(((0o100000 | (file.mode ?? 0o644)) << 16) >>> 0, 38);
    central.writeUInt32LE(offset, 42);
    locals.push(local, nameBytes, compressed);
    centrals.push(central, nameBytes);
    offset += local.length + nameBytes.length + compressed.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(Object.keys(files).length, 8);
  end.writeUInt16LE(Object.keys(files).length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}
