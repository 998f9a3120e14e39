// Which images a Dockerfile reads from the engine, for the build-inputs hash: bases and COPY --from images, never
// its own stages or scratch; a reference left to a variable without a value makes the answer unknown.
import { describe, expect, it } from 'vitest';
import { baseImagesOf } from '../../../src/image/base-images.js';

describe('baseImagesOf', () => {
  it('lists each FROM image once, skipping scratch and the earlier stages it names', () => {
    const dockerfile = [
      '# syntax comment',
      'FROM --platform=linux/amd64 node:22 AS Build',
      'RUN npm ci',
      'FROM build AS test',
      'FROM scratch',
      `FROM public.ecr.aws/lambda/nodejs:22@sha256:${'f'.repeat(64)}`,
      'FROM node:22',
    ].join('\n');
    expect(baseImagesOf(dockerfile)).toEqual(['node:22', `public.ecr.aws/lambda/nodejs:22@sha256:${'f'.repeat(64)}`]);
  });

  it('counts COPY --from and ADD --from images, not stages by name or index', () => {
    const dockerfile = [
      'FROM alpine AS tools',
      'FROM node:22',
      'COPY --from=tools /bin/x /bin/x',
      'COPY --from=0 /bin/y /bin/y',
      'COPY --chown=1:1 --from=busybox:1.36 \\',
      '  /bin/busybox /bin/busybox',
      'ADD --from=ghcr.io/a/b:1 /z /z',
    ].join('\n');
    expect(baseImagesOf(dockerfile)).toEqual(['alpine', 'node:22', 'busybox:1.36', 'ghcr.io/a/b:1']);
  });

  it('resolves the ARGs before the first FROM, build args first; unknown when a value is missing', () => {
    // biome-ignore lint/suspicious/noTemplateCurlyInString: Dockerfile variables, not a template
    const dockerfile = 'ARG NODE=20\nARG BASE="node"\nFROM ${BASE}:$NODE\nARG LATE=x\nFROM img:${TAG:-1}\n';
    expect(baseImagesOf(dockerfile)).toEqual(['node:20', 'img:1']);
    // As Docker does: a build arg reaches a FROM only through an ARG declared before the first FROM.
    expect(baseImagesOf(dockerfile, { NODE: '22', TAG: '2' })).toEqual(['node:22', 'img:1']);
    expect(baseImagesOf('ARG BASE\nFROM $BASE\n')).toBeUndefined();
    expect(baseImagesOf('FROM node:22\nARG LATE=x\nFROM img:$LATE\n')).toBeUndefined();
  });
});
