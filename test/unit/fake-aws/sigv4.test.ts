// Cross-checks the fake's SigV4 verifier against the SDK's own signer, including the encodings that differ.
import { createHash, createHmac } from 'node:crypto';
import { SignatureV4 } from '@smithy/signature-v4';
import { describe, expect, it } from 'vitest';
import { canonicalRequest, verifySignature } from '../../support/fake-aws/sigv4.js';

const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };

/** The Checksum shape the SDK signer wants, backed by node:crypto. */
class Sha256 {
  private readonly hash;
  constructor(secret?: string | Uint8Array) {
    this.hash = secret === undefined ? createHash('sha256') : createHmac('sha256', secret);
  }
  update(data: string | Uint8Array): void {
    this.hash.update(data);
  }
  async digest(): Promise<Uint8Array> {
    return this.hash.digest();
  }
  reset(): void {}
}

async function signWithSdk(service: string, path: string, query: Record<string, string>, body: string, method = 'PUT') {
  const signer = new SignatureV4({ service, region: 'eu-west-1', credentials, sha256: Sha256 as never });
  const signed = await signer.sign({
    method,
    protocol: 'http:',
    hostname: '127.0.0.1',
    port: 4566,
    path,
    query,
    headers: {
      host: '127.0.0.1:4566',
      'content-type': 'application/json',
      'x-amz-user-agent': 'aws-sdk-js/3  spaced   value ',
    },
    body,
  });
  const search = new URLSearchParams(query).toString().replace(/\+/g, '%20');
  return {
    method,
    url: `${path}${search ? `?${search}` : ''}`,
    headers: Object.fromEntries(Object.entries(signed.headers).map(([k, v]) => [k.toLowerCase(), v])),
    body: Buffer.from(body),
  };
}

describe('verifySignature', () => {
  it('accepts what the SDK signs, with an ARN (encoded twice) in the path and a query', async () => {
    const path = `/2015-03-31/functions/${encodeURIComponent('arn:aws:lambda:eu-west-1:123456789012:function:my fn')}/code`;
    const request = await signWithSdk('lambda', path, { Qualifier: '$LATEST', b: 'x y' }, '{"ImageUri":"r@sha256:ab"}');
    expect(verifySignature(request, credentials)).toEqual({
      ok: true,
      service: 'lambda',
      region: 'eu-west-1',
      accessKeyId: 'AKIDEXAMPLE',
    });
  });

  it('rejects a changed body, a changed path, a wrong secret and an unknown key', async () => {
    const request = await signWithSdk('lambda', '/2015-03-31/functions/fn/code', {}, '{"ImageUri":"a"}');
    expect(verifySignature({ ...request, body: Buffer.from('{"ImageUri":"b"}') }, credentials)).toMatchObject({
      ok: false,
      code: 'InvalidSignature',
    });
    expect(verifySignature({ ...request, url: '/2015-03-31/functions/other/code' }, credentials)).toMatchObject({
      ok: false,
      code: 'InvalidSignature',
    });
    expect(verifySignature(request, { ...credentials, secretAccessKey: 'other' })).toMatchObject({
      ok: false,
      code: 'InvalidSignature',
    });
    expect(verifySignature(request, { ...credentials, accessKeyId: 'AKIDOTHER' })).toMatchObject({
      ok: false,
      code: 'UnrecognizedClient',
    });
    const { authorization: _, ...unsigned } = request.headers;
    expect(verifySignature({ ...request, headers: unsigned }, credentials)).toMatchObject({
      ok: false,
      code: 'MissingAuthenticationToken',
    });
  });

  it('rejects a signature made too long ago', async () => {
    const request = await signWithSdk('ecr', '/', {}, '{}', 'POST');
    expect(verifySignature(request, credentials, Date.now() + 16 * 60 * 1000)).toMatchObject({
      ok: false,
      code: 'SignatureExpired',
    });
  });

  it('builds the canonical request of the AWS documentation example', () => {
    // From the SigV4 documentation: GET https://iam.amazonaws.com/?Action=ListUsers&Version=2010-05-08
    const canonical = canonicalRequest(
      {
        method: 'GET',
        url: '/?Version=2010-05-08&Action=ListUsers',
        headers: {
          host: 'iam.amazonaws.com',
          'content-type': 'application/x-www-form-urlencoded; charset=utf-8',
          'x-amz-date': '20150830T123600Z',
        },
        body: Buffer.alloc(0),
      },
      ['content-type', 'host', 'x-amz-date'],
    );
    expect(createHash('sha256').update(canonical).digest('hex')).toBe(
      'f536975d06c0309214f805bb90ccff089219ecd68b2577efef23edd43b7e1a59',
    );
  });
});
