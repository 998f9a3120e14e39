// The config's "layers" on their way into a build: folders read as they are, layer version ARNs through the real
// SDK's GetLayerVersion against the fake and a download of Content.Location, and the Dockerfiles that copy them to /opt.

import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { mergeConfig } from '../../../src/config/load.js';
import { validateConfig } from '../../../src/config/schema.js';
import type { Output } from '../../../src/core/output.js';
import { resolveImageSource } from '../../../src/image/source.js';
import { readLayers } from '../../../src/pipeline/layers.js';
import { type FakeAws, startFakeAws } from '../../support/fake-aws/index.js';
import { makeProject } from '../../support/temp-project.js';

let aws: FakeAws;
beforeAll(async () => {
  aws = await startFakeAws({ registry: { host: '127.0.0.1:5999', password: 'unused' } });
});
afterAll(() => aws.close());
beforeEach(() => aws.reset());
afterAll(() => expect(aws.unexpected).toEqual([]));

const out: Output = {
  json: false,
  verbose: false,
  quiet: true,
  color: false,
  stdout: process.stdout,
  stderr: process.stderr,
  step: (_title, work) => work(() => undefined),
  info: () => undefined,
  warn: () => undefined,
  debug: () => undefined,
  result: () => undefined,
};

const text = (content: Buffer | string) => content.toString();

async function project(layers: string[], files: Record<string, string | { content: string; mode: number }> = {}) {
  const dir = await makeProject({
    'index.js': 'exports.handler = async () => "ok";\n',
    'layer/extensions/probe': { content: '#!/bin/sh\necho probe\n', mode: 0o755 },
    'layer/lib/data.txt': 'from the folder\n',
    ...files,
  });
  return mergeConfig({ functionName: 'layered', layers, baseImage: 'node:22-slim' }, dir, {});
}

describe('reading layers', () => {
  it('reads a folder as it is and an ARN from its GetLayerVersion download, modes kept', async () => {
    const arn = aws.layers.publish('tools', {
      'bin/tool': { content: '#!/bin/sh\necho tool\n', mode: 0o755 },
      'lib/data.txt': { content: 'from the ARN\n' },
    });
    const config = await project(['./layer', arn]);
    const [folder, downloaded] = await readLayers(config, { env: aws.env });

    expect(folder!.files.map((file) => [file.path, file.mode! & 0o777])).toEqual([
      ['extensions/probe', 0o755],
      ['lib/data.txt', 0o644],
    ]);
    expect(downloaded!.source).toBe(arn);
    expect(downloaded!.files.map((file) => [file.path, text(file.content), file.mode])).toEqual([
      ['bin/tool', '#!/bin/sh\necho tool\n', 0o755],
      ['lib/data.txt', 'from the ARN\n', 0o644],
    ]);
    const call = aws.calls.find((c) => c.operation === 'GetLayerVersion')!;
    expect(call.status).toBe(200);
  });

  it('names a missing folder and an unknown layer version in one line each', async () => {
    const missing = await project(['./nowhere']);
    await expect(readLayers(missing, { env: aws.env })).rejects.toThrow('layer folder ./nowhere does not exist');
    const unknown = await project([`arn:aws:lambda:${aws.region}:${aws.accountId}:layer:absent:3`]);
    await expect(readLayers(unknown, { env: aws.env })).rejects.toThrow(/GetLayerVersion .*layer:absent:3/);
  });

  it('refuses a layer ARN without its version in the config, naming the key', () => {
    const problems = validateConfig({
      functionName: 'f',
      layers: ['./ok', 'arn:aws:lambda:us-east-1:123456789012:layer:tools'],
    });
    expect(problems).toEqual([
      {
        path: 'layers[1]',
        message:
          'expected a layer version ARN (arn:aws:lambda:REGION:ACCOUNT:layer:NAME:VERSION) or a folder, found "arn:aws:lambda:us-east-1:123456789012:layer:tools"',
      },
    ]);
  });
});

describe('layers in the image source', () => {
  it('a generated Dockerfile copies each layer into /opt after the runtime and before the app', async () => {
    const arn = aws.layers.publish('tools', { 'bin/tool': { content: 'x', mode: 0o755 } });
    const config = await project(['./layer', arn]);
    const source = await resolveImageSource(config, out, { bundle: false, layers: await readLayers(config, aws) });
    const dockerfile = text(source.context.extraFiles.find((file) => file.path === source.dockerfile)!.content);
    const lines = dockerfile.split('\n');
    const runtime = lines.findIndex((line) => line.startsWith('COPY .tslambda/runtime/'));
    expect(lines.slice(runtime + 1, runtime + 3)).toEqual([
      'COPY .tslambda/layers/0/ /opt/',
      'COPY .tslambda/layers/1/ /opt/',
    ]);
    expect(lines.findIndex((line) => line.startsWith('COPY .tslambda/app/'))).toBeGreaterThan(runtime + 2);
    const paths = source.context.extraFiles.map((file) => file.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        '.tslambda/layers/0/extensions/probe',
        '.tslambda/layers/0/lib/data.txt',
        '.tslambda/layers/1/bin/tool',
      ]),
    );
  });

  it("a user's Dockerfile gets the layers appended to its last stage, or in a stage over its target", async () => {
    const userDockerfile = 'FROM scratch AS base\nCOPY index.js /var/task/\nFROM base AS final\n';
    const config = await project(['./layer'], { Dockerfile: userDockerfile });
    const layers = await readLayers(config, aws);
    const plain = await resolveImageSource(config, out, { layers });
    expect(plain.kind).toBe('user-dockerfile');
    expect(plain.target).toBeUndefined();
    const sent = (source: typeof plain) =>
      text(source.context.extraFiles.find((file) => file.path === source.dockerfile)!.content);
    expect(sent(plain)).toBe(
      `${userDockerfile}# Added by tslambda: the "layers" of lambda.config.json.\nCOPY .tslambda/layers/0/ /opt/\n`,
    );

    const targeted = await resolveImageSource({ ...config, target: 'base' }, out, { layers });
    expect(targeted.target).toBe('tslambda-layers');
    expect(sent(targeted)).toBe(
      `${userDockerfile}FROM base AS tslambda-layers\n# Added by tslambda: the "layers" of lambda.config.json.\nCOPY .tslambda/layers/0/ /opt/\n`,
    );
  });

  it('without layers, a user Dockerfile inside the context is sent as it is', async () => {
    const config = await project([], { Dockerfile: 'FROM scratch\n' });
    const source = await resolveImageSource(config, out, { layers: [] });
    expect(source.dockerfile).toBe('Dockerfile');
  });
});
