// Verifies the AWS Signature Version 4 of a received request by recomputing it from the canonical request.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

export interface TestCredentials {
  accessKeyId: string;
  secretAccessKey: string;
}

export interface ReceivedRequest {
  method: string;
  /** The raw request target as it arrived: path (still percent-encoded once) and query. */
  url: string;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

export type SignatureCheck =
  | { ok: true; service: string; region: string; accessKeyId: string }
  | {
      ok: false;
      code:
        | 'MissingAuthenticationToken'
        | 'IncompleteSignature'
        | 'UnrecognizedClient'
        | 'InvalidSignature'
        | 'SignatureExpired';
      message: string;
    };

const AUTH_PATTERN =
  /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([^,]+), ?Signature=([0-9a-f]{64})$/;
/** AWS rejects requests whose x-amz-date is more than 15 minutes away from its clock. */
const MAX_CLOCK_SKEW_MS = 15 * 60 * 1000;

const sha256Hex = (data: string | Buffer): string => createHash('sha256').update(data).digest('hex');
const hmac = (key: string | Buffer, data: string): Buffer => createHmac('sha256', key).update(data, 'utf8').digest();

/** RFC 3986 encoding as SigV4 defines it: everything but unreserved characters is %XX (uppercase). */
export function rfc3986(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** Non-S3 services encode each path segment a second time: the path arrives encoded once, so encode it again. */
function canonicalUri(rawPath: string): string {
  if (rawPath === '' || rawPath === '/') return '/';
  return rawPath.split('/').map(rfc3986).join('/');
}

function canonicalQuery(rawQuery: string): string {
  if (!rawQuery) return '';
  const pairs = rawQuery
    .split('&')
    .filter(Boolean)
    .map((part) => {
      const eq = part.indexOf('=');
      const key = decodeURIComponent((eq < 0 ? part : part.slice(0, eq)).replace(/\+/g, ' '));
      const value = eq < 0 ? '' : decodeURIComponent(part.slice(eq + 1).replace(/\+/g, ' '));
      return [rfc3986(key), rfc3986(value)] as const;
    });
  pairs.sort(([ak, av], [bk, bv]) => (ak < bk ? -1 : ak > bk ? 1 : av < bv ? -1 : av > bv ? 1 : 0));
  return pairs.map(([k, v]) => `${k}=${v}`).join('&');
}

function headerValue(headers: ReceivedRequest['headers'], name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value.join(',') : value;
}

/** The canonical request of SigV4, step 1 of the algorithm. */
export function canonicalRequest(request: ReceivedRequest, signedHeaders: string[]): string {
  const queryStart = request.url.indexOf('?');
  const rawPath = queryStart < 0 ? request.url : request.url.slice(0, queryStart);
  const rawQuery = queryStart < 0 ? '' : request.url.slice(queryStart + 1);
  const headerLines = signedHeaders.map(
    (name) => `${name}:${(headerValue(request.headers, name) ?? '').trim().replace(/\s+/g, ' ')}\n`,
  );
  const payloadHash = headerValue(request.headers, 'x-amz-content-sha256') ?? sha256Hex(request.body);
  return [
    request.method,
    canonicalUri(rawPath),
    canonicalQuery(rawQuery),
    headerLines.join(''),
    signedHeaders.join(';'),
    payloadHash,
  ].join('\n');
}

export function signingKey(secretAccessKey: string, date: string, region: string, service: string): Buffer {
  return hmac(hmac(hmac(hmac(`AWS4${secretAccessKey}`, date), region), service), 'aws4_request');
}

/**
 * Checks the Authorization header of `request` against the signature the credentials of its access key id would
 * produce: one set of credentials, or several (one per fake account).
 */
export function verifySignature(
  request: ReceivedRequest,
  known: TestCredentials | readonly TestCredentials[],
  now = Date.now(),
): SignatureCheck {
  const authorization = headerValue(request.headers, 'authorization');
  if (!authorization) return { ok: false, code: 'MissingAuthenticationToken', message: 'Missing Authentication Token' };
  const match = AUTH_PATTERN.exec(authorization);
  if (!match)
    return {
      ok: false,
      code: 'IncompleteSignature',
      message: `Authorization header requires Credential, SignedHeaders and Signature: ${authorization.split(' ')[0]}`,
    };
  const [, accessKeyId, date, region, service, signedHeaderList, signature] = match as unknown as string[];
  const all: readonly TestCredentials[] = 'accessKeyId' in known ? [known] : known;
  const credentials = all.find((each) => each.accessKeyId === accessKeyId);
  if (!credentials) {
    return { ok: false, code: 'UnrecognizedClient', message: 'The security token included in the request is invalid.' };
  }
  const amzDate = headerValue(request.headers, 'x-amz-date');
  if (!amzDate || !amzDate.startsWith(date))
    return {
      ok: false,
      code: 'IncompleteSignature',
      message: 'x-amz-date is missing or does not match the credential scope date',
    };
  const signedAt = Date.parse(amzDate.replace(/^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/, '$1-$2-$3T$4:$5:$6Z'));
  if (!Number.isFinite(signedAt) || Math.abs(now - signedAt) > MAX_CLOCK_SKEW_MS) {
    return {
      ok: false,
      code: 'SignatureExpired',
      message: `Signature expired: ${amzDate} is now earlier or later than the allowed skew`,
    };
  }
  // A declared payload hash is only trusted when it is the hash of the body that arrived.
  const declaredHash = headerValue(request.headers, 'x-amz-content-sha256');
  if (declaredHash !== undefined && declaredHash !== sha256Hex(request.body)) {
    return {
      ok: false,
      code: 'InvalidSignature',
      message: 'The provided x-amz-content-sha256 header does not match what was computed.',
    };
  }
  const signedHeaders = signedHeaderList.split(';');
  if (!signedHeaders.includes('host'))
    return { ok: false, code: 'IncompleteSignature', message: 'the host header must be signed' };
  const scope = `${date}/${region}/${service}/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256Hex(canonicalRequest(request, signedHeaders))].join(
    '\n',
  );
  const expected = createHmac('sha256', signingKey(credentials.secretAccessKey, date, region, service))
    .update(stringToSign, 'utf8')
    .digest();
  if (!timingSafeEqual(expected, Buffer.from(signature, 'hex'))) {
    return {
      ok: false,
      code: 'InvalidSignature',
      message:
        'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method.',
    };
  }
  return { ok: true, service, region, accessKeyId };
}
