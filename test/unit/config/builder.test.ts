// The `builder` key and --builder: every problem of the object at once, and the flag choosing the type.
import { describe, expect, it } from 'vitest';
import { checkBuilder, resolveBuilder } from '../../../src/config/builder.js';
import { validateConfig } from '../../../src/config/schema.js';

describe('builder config', () => {
  it('accepts a CodeBuild builder and reports every problem of a wrong one with its path', () => {
    expect(
      validateConfig({
        functionName: 'fn',
        builder: { type: 'codebuild', project: 'my-builds', bucket: 'my-sources', computeType: 'BUILD_GENERAL1_LARGE' },
      }),
    ).toEqual([]);
    expect(
      checkBuilder(
        { type: 'codebuil', bucket: 'Not_A_Bucket', computeType: 'BUILD_LAMBDA_1GB', serviceRole: 'role', x: 1 },
        'builder',
      ),
    ).toEqual([
      {
        path: 'builder.x',
        message: 'unknown key; allowed keys: type, project, bucket, computeType, image, serviceRole',
      },
      { path: 'builder.type', message: 'expected "local" or "codebuild", found "codebuil"' },
      { path: 'builder.bucket', message: 'expected an S3 bucket name (3-63 lower-case letters, digits, . or -)' },
      {
        path: 'builder.computeType',
        message:
          'expected one of "BUILD_GENERAL1_SMALL", "BUILD_GENERAL1_MEDIUM", "BUILD_GENERAL1_LARGE", "BUILD_GENERAL1_XLARGE", "BUILD_GENERAL1_2XLARGE"',
      },
      {
        path: 'builder.serviceRole',
        message: 'expected an IAM role ARN such as "arn:aws:iam::123456789012:role/tslambda-builder"',
      },
    ]);
    expect(checkBuilder({ type: 'local', bucket: 'b-b-b' }, 'builder')).toEqual([
      { path: 'builder.bucket', message: 'applies to "type": "codebuild" only' },
    ]);
    expect(checkBuilder('codebuild', 'builder')[0]!.message).toMatch(/^expected an object/);
  });

  it('--builder picks the type and keeps the config settings; no flag keeps the config; local drops them', () => {
    expect(resolveBuilder(undefined, undefined)).toEqual({ type: 'local' });
    expect(resolveBuilder({ type: 'codebuild', bucket: 'b-1' }, undefined)).toEqual({
      type: 'codebuild',
      bucket: 'b-1',
    });
    expect(resolveBuilder({ type: 'codebuild', bucket: 'b-1', project: 'p1' }, 'codebuild')).toEqual({
      type: 'codebuild',
      bucket: 'b-1',
      project: 'p1',
    });
    expect(resolveBuilder({ type: 'codebuild', bucket: 'b-1' }, 'local')).toEqual({ type: 'local' });
    // Without a bucket there is nowhere to send the context: said before anything runs, exit code 2.
    let refused: unknown;
    try {
      resolveBuilder({ type: 'local' }, 'codebuild');
    } catch (error) {
      refused = error;
    }
    expect(refused).toMatchObject({
      message: '--builder codebuild needs an S3 bucket for the build context',
      exitCode: 2,
    });
  });
});
