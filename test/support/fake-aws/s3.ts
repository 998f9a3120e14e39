// The fake S3: buckets of objects in memory, PutObject (plain, and the SDK's aws-chunked uploads with a checksum
// trailer or signed chunks), GetObject and DeleteObject, path-style or virtual-host addressing, REST XML errors.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { crc32 } from 'node:zlib';
import { canonicalRequest, signingKey, type TestCredentials } from './sigv4.js';

export class S3Fault extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export interface S3Object {
  body: Buffer;
  contentType?: string;
  etag: string;
}

const sha256Hex = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');
const header = (req: IncomingMessage, name: string) => {
  const value = req.headers[name];
  return Array.isArray(value) ? value.join(',') : value;
};

/**
 * aws-chunked, as the SDK sends a streamed body: `<hex size>[;chunk-signature=…]\r\n<bytes>\r\n` until a zero-size
 * chunk, then trailer lines (`x-amz-checksum-crc32:…`). Chunk signatures are read, not verified.
 */
export function decodeAwsChunked(body: Buffer): { data: Buffer; trailers: Record<string, string> } {
  const parts: Buffer[] = [];
  let at = 0;
  for (;;) {
    const lineEnd = body.indexOf('\r\n', at);
    if (lineEnd < 0) throw new S3Fault(400, 'IncompleteBody', 'aws-chunked body ended inside a chunk header');
    const size = Number.parseInt(body.subarray(at, lineEnd).toString('latin1').split(';')[0]!, 16);
    if (!Number.isFinite(size)) throw new S3Fault(400, 'InvalidChunkSizeError', 'malformed aws-chunked size');
    at = lineEnd + 2;
    if (size === 0) break;
    parts.push(body.subarray(at, at + size));
    at += size + 2;
  }
  const trailers: Record<string, string> = {};
  for (const line of body.subarray(at).toString('latin1').split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) trailers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { data: Buffer.concat(parts), trailers };
}

export class FakeS3 {
  readonly buckets = new Map<string, Map<string, S3Object>>();
  /** bucket/key of every object deleted, in order. */
  readonly deleted: string[] = [];

  constructor(readonly options: { region: string; credentials: TestCredentials }) {}

  createBucket(name: string): void {
    if (!this.buckets.has(name)) this.buckets.set(name, new Map());
  }

  object(bucket: string, key: string): S3Object | undefined {
    return this.buckets.get(bucket)?.get(key);
  }

  reset(): void {
    this.buckets.clear();
    this.deleted.length = 0;
  }

  /** Is this request S3's? Its signature's scope names the service. */
  static claims(req: IncomingMessage): boolean {
    return /Credential=[^/]+\/\d{8}\/[^/]+\/s3\/aws4_request/.test(header(req, 'authorization') ?? '');
  }

  /** Bucket and key from the path (path style) or from the Host's first label (virtual-host style). */
  private address(req: IncomingMessage): { bucket: string; key: string; operationQuery: URLSearchParams } {
    const url = new URL(req.url ?? '/', 'http://fake');
    const path = url.pathname.split('/').slice(1).map(decodeURIComponent);
    const host = (header(req, 'host') ?? '').split(':')[0]!;
    const virtual = /^[a-z0-9.-]+\.(localhost|127\.0\.0\.1)$/.exec(host);
    if (virtual)
      return { bucket: host.slice(0, -virtual[1]!.length - 1), key: path.join('/'), operationQuery: url.searchParams };
    return { bucket: path[0] ?? '', key: path.slice(1).join('/'), operationQuery: url.searchParams };
  }

  /** SigV4 as S3 checks it: the payload hash header is taken as declared (UNSIGNED-PAYLOAD, STREAMING-…). */
  private verify(req: IncomingMessage, body: Buffer): void {
    const auth = header(req, 'authorization') ?? '';
    const match =
      /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/s3\/aws4_request, ?SignedHeaders=([^,]+), ?Signature=([0-9a-f]{64})$/.exec(
        auth,
      );
    if (!match) throw new S3Fault(400, 'AuthorizationHeaderMalformed', 'The authorization header is malformed');
    const [, keyId, date, region, signed, signature] = match as unknown as string[];
    if (keyId !== this.options.credentials.accessKeyId)
      throw new S3Fault(403, 'InvalidAccessKeyId', 'The AWS Access Key Id you provided does not exist in our records.');
    if (region !== this.options.region)
      throw new S3Fault(
        400,
        'AuthorizationHeaderMalformed',
        `the region '${region}' is wrong; expecting '${this.options.region}'`,
      );
    // S3 encodes the path once (other services twice): decoding it first makes the shared builder encode it once.
    const raw = req.url ?? '/';
    const queryAt = raw.indexOf('?');
    const path = (queryAt < 0 ? raw : raw.slice(0, queryAt)).split('/').map(decodeURIComponent).join('/');
    const canonical = canonicalRequest(
      { method: req.method ?? 'GET', url: path + (queryAt < 0 ? '' : raw.slice(queryAt)), headers: req.headers, body },
      signed.split(';'),
    );
    const toSign = [
      'AWS4-HMAC-SHA256',
      header(req, 'x-amz-date'),
      `${date}/${region}/s3/aws4_request`,
      sha256Hex(canonical),
    ].join('\n');
    const expected = createHmac('sha256', signingKey(this.options.credentials.secretAccessKey, date, region, 's3'))
      .update(toSign)
      .digest();
    if (!timingSafeEqual(expected, Buffer.from(signature, 'hex')))
      throw new S3Fault(
        403,
        'SignatureDoesNotMatch',
        'The request signature we calculated does not match the signature you provided.',
      );
  }

  /** The object's bytes as the client meant them: aws-chunked decoded, its declared length and checksum checked. */
  private payload(req: IncomingMessage, body: Buffer): Buffer {
    const declared = header(req, 'x-amz-content-sha256') ?? '';
    let data = body;
    let trailers: Record<string, string> = {};
    if (declared.startsWith('STREAMING-')) {
      ({ data, trailers } = decodeAwsChunked(body));
      const length = Number(header(req, 'x-amz-decoded-content-length'));
      if (length !== data.length)
        throw new S3Fault(400, 'IncompleteBody', `expected ${length} bytes, got ${data.length}`);
    } else if (/^[0-9a-f]{64}$/.test(declared) && declared !== sha256Hex(body))
      throw new S3Fault(
        400,
        'XAmzContentSHA256Mismatch',
        'The provided x-amz-content-sha256 header does not match what was computed.',
      );
    // The checksum comes in a trailer (streamed bodies) or a header (bodies the SDK could hash first).
    const crc = trailers['x-amz-checksum-crc32'] ?? header(req, 'x-amz-checksum-crc32');
    if (crc !== undefined) {
      const computed = Buffer.alloc(4);
      computed.writeUInt32BE(crc32(data) >>> 0);
      if (computed.toString('base64') !== crc)
        throw new S3Fault(400, 'BadDigest', 'The CRC32 you specified did not match the calculated checksum.');
    }
    return data;
  }

  /** Answers one request; returns the operation's name for the call record. */
  handle(
    req: IncomingMessage,
    res: ServerResponse,
    body: Buffer,
  ): { operation: string; input: Record<string, unknown> } {
    const { bucket, key } = this.address(req);
    const method = req.method ?? 'GET';
    const operation =
      method === 'PUT'
        ? 'PutObject'
        : method === 'GET'
          ? 'GetObject'
          : method === 'DELETE'
            ? 'DeleteObject'
            : `${method}`;
    const input = { Bucket: bucket, Key: key };
    try {
      this.verify(req, body);
      if (!key || !['PutObject', 'GetObject', 'DeleteObject'].includes(operation))
        throw new S3Fault(501, 'NotImplemented', `${method} ${req.url} is not modelled by the fake S3`);
      const objects = this.buckets.get(bucket);
      if (!objects) throw new S3Fault(404, 'NoSuchBucket', 'The specified bucket does not exist');
      if (operation === 'PutObject') {
        const data = this.payload(req, body);
        const etag = `"${createHash('md5').update(data).digest('hex')}"`;
        objects.set(key, { body: data, contentType: header(req, 'content-type'), etag });
        res.writeHead(200, { etag, 'x-amz-request-id': crypto.randomUUID(), 'content-length': 0 });
        res.end();
      } else if (operation === 'GetObject') {
        const object = objects.get(key);
        if (!object) throw new S3Fault(404, 'NoSuchKey', 'The specified key does not exist.');
        res.writeHead(200, {
          etag: object.etag,
          'content-type': object.contentType ?? 'binary/octet-stream',
          'content-length': object.body.length,
        });
        res.end(object.body);
      } else {
        // S3 answers 204 whether or not the key existed.
        if (objects.delete(key)) this.deleted.push(`${bucket}/${key}`);
        res.writeHead(204, { 'x-amz-request-id': crypto.randomUUID() });
        res.end();
      }
      return { operation, input: { ...input, status: res.statusCode } };
    } catch (error) {
      if (!(error instanceof S3Fault)) throw error;
      const xml = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${error.code}</Code><Message>${error.message}</Message><BucketName>${bucket}</BucketName><RequestId>${crypto.randomUUID()}</RequestId></Error>`;
      res.writeHead(error.status, { 'content-type': 'application/xml', 'content-length': Buffer.byteLength(xml) });
      res.end(xml);
      return { operation, input: { ...input, status: error.status, errorCode: error.code } };
    }
  }
}
