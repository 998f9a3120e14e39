// The remote-build adapters (src/aws/codebuild.ts) with the real SDK clients against the fake S3, CodeBuild and
// CloudWatch Logs: the streamed upload S3 receives byte for byte, errors as AWS words them, and a log follower
// that loses no line while the build writes across pages.
import { createHash } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  createBuildClients,
  deleteSource,
  newLogLines,
  startBuild,
  uploadSource,
  type LogCursor,
} from '../../../src/aws/codebuild.js';
import { type FakeAws, startFakeAws } from '../../support/fake-aws/index.js';
import { makeProject } from '../../support/temp-project.js';

let aws: FakeAws;
let clients: ReturnType<typeof createBuildClients>;
const signal = new AbortController().signal;

describe('remote-build adapters against the fake AWS (real SDK clients)', () => {
  beforeAll(async () => {
    aws = await startFakeAws({ registry: { host: '127.0.0.1:1', password: 'unused' } });
    clients = createBuildClients({ env: aws.env });
  });
  afterAll(() => aws?.close());
  beforeEach(() => {
    aws.reset();
    aws.s3.createBucket('sources');
  });

  it('uploads a file as a stream (aws-chunked with a CRC32 trailer), reads it back, and deletes it', async () => {
    const dir = await makeProject({});
    const bytes = Buffer.alloc(3 * 1024 * 1024 + 17, 7);
    await writeFile(join(dir, 'source.zip'), bytes);
    await uploadSource(clients.s3, 'sources', 'tslambda/fn/a b+c.zip', join(dir, 'source.zip'), signal);
    const stored = aws.s3.object('sources', 'tslambda/fn/a b+c.zip');
    expect(createHash('sha256').update(stored!.body).digest('hex')).toBe(
      createHash('sha256').update(bytes).digest('hex'),
    );
    expect(stored!.contentType).toBe('application/zip');
    const got = await clients.s3.send(new GetObjectCommand({ Bucket: 'sources', Key: 'tslambda/fn/a b+c.zip' }));
    expect(Buffer.from(await got.Body!.transformToByteArray()).equals(bytes)).toBe(true);
    await deleteSource(clients.s3, 'sources', 'tslambda/fn/a b+c.zip');
    expect(aws.s3.deleted).toEqual(['sources/tslambda/fn/a b+c.zip']);
    expect(aws.unexpected).toEqual([]);
  });

  it('answers a missing bucket as S3 does, and refuses a body whose checksum does not match', async () => {
    await expect(clients.s3.send(new PutObjectCommand({ Bucket: 'nope', Key: 'k', Body: 'x' }))).rejects.toMatchObject({
      name: 'NoSuchBucket',
    });
    await expect(
      clients.s3.send(new PutObjectCommand({ Bucket: 'sources', Key: 'k', Body: 'x', ChecksumCRC32: 'AAAAAA==' })),
    ).rejects.toMatchObject({ name: 'BadDigest' });
  });

  it('names the fix when the CodeBuild project is missing', async () => {
    await expect(
      startBuild(clients.codebuild, {
        project: 'missing',
        bucket: 'sources',
        key: 'k.zip',
        environmentType: 'LINUX_CONTAINER',
        image: 'aws/codebuild/amazonlinux-x86_64-standard:5.0',
        computeType: 'BUILD_GENERAL1_SMALL',
        variables: {},
        region: 'us-east-1',
      }),
    ).rejects.toMatchObject({
      message: 'CodeBuild project missing does not exist in us-east-1',
      hint: expect.stringContaining('--create-builder --role'),
    });
  });

  it('follows a log stream that grows between and during reads without losing or repeating a line', async () => {
    const location = { groupName: '/aws/codebuild/p', streamName: 'b1' };
    const cursor: LogCursor = { seen: new Set() };
    // Before the build writes, the group does not exist: nothing to read, no error.
    expect(await newLogLines(clients.logs, location, cursor, signal)).toEqual([]);
    let written = 0;
    const write = (count: number) => {
      for (let i = 0; i < count; i++) aws.logs.append(location.groupName, location.streamName, `line ${written++}\n`);
    };
    const timer = setInterval(() => write(2), 10);
    const read: string[] = [];
    for (let poll = 0; poll < 5; poll++) {
      read.push(...(await newLogLines(clients.logs, location, cursor, signal)));
      await new Promise((resolve) => setTimeout(resolve, 15));
    }
    clearInterval(timer);
    read.push(...(await newLogLines(clients.logs, location, cursor, signal)));
    // The fake answers 3 events a page: every read above crossed pages while lines kept arriving.
    expect(written).toBeGreaterThan(10);
    expect(read).toEqual(Array.from({ length: written }, (_, i) => `line ${i}`));
  });
});
