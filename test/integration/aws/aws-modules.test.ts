// src/aws against the fake endpoint with the real SDK clients: repository, token, update/wait, create, publish, errors.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ExitCode, UserError } from '../../../src/core/errors.js';
import { createAwsClients, type AwsClients } from '../../../src/aws/clients.js';
import { getRegistryCredentials, maskSecret, resolveRepository } from '../../../src/aws/ecr.js';
import {
  createFunction,
  getFunction,
  pointAlias,
  publishVersion,
  runsImage,
  updateFunctionImage,
} from '../../../src/aws/lambda.js';
import { type FakeAws, startFakeAws } from '../../support/fake-aws/index.js';

const digest = (c: string) => `sha256:${c.repeat(64)}`;
const fast = { waitTimeoutSeconds: 10, minDelaySeconds: 0.02, conflictRetryDelaysMs: [10, 10, 10] };
let aws: FakeAws;
let clients: AwsClients;

beforeAll(async () => {
  aws = await startFakeAws({ registry: { host: '127.0.0.1:5999', password: 'secret-registry-password' } });
});
afterAll(async () => {
  await aws.close();
});
beforeEach(() => {
  aws.reset();
  clients = createAwsClients({ env: aws.env });
});
afterEach(() => {
  expect(aws.unexpected).toEqual([]);
});

const rejection = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (error: unknown) => error as UserError,
  );

describe('ECR', () => {
  it('uses an existing repository, creates a missing one with scan on push, or names repository, region and account', async () => {
    aws.ecr.addRepository('existing');
    expect(
      await resolveRepository(clients.ecr, {
        name: 'existing',
        create: true,
        imageTagMutability: 'MUTABLE',
        region: 'us-east-1',
      }),
    ).toMatchObject({ created: false, repository: { uri: '127.0.0.1:5999/existing' } });
    expect(
      await resolveRepository(clients.ecr, {
        name: 'fresh',
        create: true,
        imageTagMutability: 'IMMUTABLE',
        region: 'us-east-1',
      }),
    ).toMatchObject({ created: true, repository: { name: 'fresh' } });
    expect(aws.ecr.repositories.get('fresh')).toMatchObject({
      imageTagMutability: 'IMMUTABLE',
      imageScanningConfiguration: { scanOnPush: true },
    });
    const error = await rejection(
      resolveRepository(clients.ecr, {
        name: 'absent',
        create: false,
        imageTagMutability: 'MUTABLE',
        region: 'us-east-1',
      }),
    );
    expect(error).toBeInstanceOf(UserError);
    expect(error!.message).toBe('ECR repository "absent" does not exist in us-east-1 (account 123456789012)');
    expect(aws.operations()).toEqual([
      'DescribeRepositories',
      'DescribeRepositories',
      'CreateRepository',
      'DescribeRepositories',
    ]);
  });

  it('decodes the token into registry credentials, and maskSecret hides the password in any form', async () => {
    const credentials = await getRegistryCredentials(clients.ecr);
    expect(credentials).toMatchObject({
      username: 'AWS',
      password: 'secret-registry-password',
      serverAddress: '127.0.0.1:5999',
    });
    const leaky = `password=secret-registry-password token=${Buffer.from('AWS:secret-registry-password').toString('base64')}`;
    expect(maskSecret(leaky, credentials.password)).toBe('password=**** token=****');
  });

  it('names the missing permission when AWS denies an action', async () => {
    aws.deny('CreateRepository');
    const error = await rejection(
      resolveRepository(clients.ecr, {
        name: 'denied',
        create: true,
        imageTagMutability: 'MUTABLE',
        region: 'us-east-1',
      }),
    );
    expect(error).toMatchObject({
      exitCode: ExitCode.awsError,
      hint: 'grant ecr:CreateRepository to the identity tslambda runs as',
    });
    expect(error!.message).toMatch(
      /^CreateRepository denied failed: AccessDeniedException: User: .* is not authorized to perform: ecr:CreateRepository/,
    );
  });
});

describe('Lambda', () => {
  it('reads a missing function as undefined and a present one as a typed view', async () => {
    expect(await getFunction(clients.lambda, 'missing')).toBeUndefined();
    aws.lambda.addFunction({ name: 'fn', architecture: 'arm64', imageUri: `127.0.0.1:5999/app@${digest('b')}` });
    const fn = await getFunction(clients.lambda, 'fn');
    expect(fn).toMatchObject({
      name: 'fn',
      packageType: 'Image',
      architecture: 'arm64',
      lastUpdateStatus: 'Successful',
    });
    expect(runsImage(fn!, { digest: digest('b'), imageUri: `127.0.0.1:5999/app:other` })).toBe(true);
    expect(runsImage(fn!, { digest: digest('c'), imageUri: `127.0.0.1:5999/app@${digest('c')}` })).toBe(false);
  });

  it('updates by digest and waits with the SDK waiter until Successful', async () => {
    aws.lambda.addFunction({ name: 'fn' });
    aws.lambda.behaviour.updatePolls = 3;
    const imageUri = `127.0.0.1:5999/app@${digest('c')}`;
    const done = await updateFunctionImage(clients.lambda, (await getFunction(clients.lambda, 'fn'))!, imageUri, fast);
    expect(done).toMatchObject({ lastUpdateStatus: 'Successful', resolvedImageUri: imageUri });
    expect(aws.operations()).toEqual([
      'GetFunction',
      'UpdateFunctionCode',
      'GetFunction',
      'GetFunction',
      'GetFunction',
    ]);
  });

  it('waits for an update already in progress before sending its own, and retries a conflict', async () => {
    aws.lambda.addFunction({ name: 'fn', updateInProgressForPolls: 2 });
    aws.lambda.behaviour.conflictingUpdates = 2;
    aws.lambda.behaviour.updatePolls = 1;
    const fn = (await getFunction(clients.lambda, 'fn'))!;
    expect(fn.lastUpdateStatus).toBe('InProgress');
    await updateFunctionImage(clients.lambda, fn, `127.0.0.1:5999/app@${digest('d')}`, fast);
    const codes = aws.calls.map((call) => `${call.operation}${call.errorCode ? `:${call.errorCode}` : ''}`);
    expect(codes).toEqual([
      'GetFunction',
      'GetFunction',
      'UpdateFunctionCode:ResourceConflictException',
      'UpdateFunctionCode:ResourceConflictException',
      'UpdateFunctionCode',
      'GetFunction',
    ]);
  });

  it('gives up on conflicts after the bounded retries with the AWS code in the message', async () => {
    aws.lambda.addFunction({ name: 'fn' });
    aws.lambda.behaviour.conflictingUpdates = 10;
    const error = await rejection(
      updateFunctionImage(clients.lambda, (await getFunction(clients.lambda, 'fn'))!, `r/app@${digest('d')}`, fast),
    );
    expect(error).toMatchObject({ exitCode: ExitCode.awsError });
    expect(error!.message).toMatch(/^UpdateFunctionCode fn failed: ResourceConflictException: .*update is in progress/);
    expect(aws.operations().filter((op) => op === 'UpdateFunctionCode')).toHaveLength(4);
  });

  it('reports a Failed update with its reason and code and a distinct exit code', async () => {
    aws.lambda.addFunction({ name: 'fn' });
    aws.lambda.behaviour.nextUpdateOutcomes.push({
      status: 'Failed',
      reason: 'Image manifest is not supported.',
      reasonCode: 'ImageNotSupported',
    });
    const error = await rejection(
      updateFunctionImage(clients.lambda, (await getFunction(clients.lambda, 'fn'))!, `r/app@${digest('e')}`, fast),
    );
    expect(error).toMatchObject({
      exitCode: ExitCode.updateFailed,
      message: 'the update of fn failed: Image manifest is not supported. (ImageNotSupported)',
    });
  });

  it('bounds the wait with the timeout', async () => {
    aws.lambda.addFunction({ name: 'fn' });
    aws.lambda.behaviour.updatePolls = 1_000_000;
    const error = await rejection(
      updateFunctionImage(clients.lambda, (await getFunction(clients.lambda, 'fn'))!, `r/app@${digest('e')}`, {
        ...fast,
        waitTimeoutSeconds: 0.3,
      }),
    );
    expect(error).toMatchObject({ exitCode: ExitCode.updateFailed, message: 'fn is still updating after 0.3s' });
  });

  it('creates an image function and waits until it is Active', async () => {
    const fn = await createFunction(
      clients.lambda,
      {
        name: 'new',
        role: 'arn:aws:iam::123456789012:role/r',
        imageUri: `r/app@${digest('f')}`,
        architecture: 'arm64',
        memorySize: 512,
        timeout: 10,
        environment: { A: '1' },
      },
      fast,
    );
    expect(fn).toMatchObject({ state: 'Active', architecture: 'arm64', packageType: 'Image' });
    expect(aws.calls[0]).toMatchObject({
      operation: 'CreateFunction',
      input: { PackageType: 'Image', MemorySize: 512, Timeout: 10, Environment: { Variables: { A: '1' } } },
    });
  });

  it('publishes a version and points an alias at it, creating the alias once', async () => {
    aws.lambda.addFunction({ name: 'fn', imageUri: `r/app@${digest('a')}` });
    const v1 = await publishVersion(clients.lambda, 'fn', 'a'.repeat(64));
    expect(v1).toEqual({ version: '1', arn: 'arn:aws:lambda:us-east-1:123456789012:function:fn:1' });
    expect(await pointAlias(clients.lambda, 'fn', 'live', '1')).toEqual({
      arn: 'arn:aws:lambda:us-east-1:123456789012:function:fn:live',
      created: true,
    });
    await updateFunctionImage(clients.lambda, (await getFunction(clients.lambda, 'fn'))!, `r/app@${digest('b')}`, fast);
    const v2 = await publishVersion(clients.lambda, 'fn', 'b'.repeat(64));
    expect(await pointAlias(clients.lambda, 'fn', 'live', v2.version)).toMatchObject({
      created: false,
      previousVersion: '1',
    });
    expect(aws.lambda.functions.get('fn')!.aliases.get('live')!.FunctionVersion).toBe('2');
  });

  it('rides out one throttled call on the SDK retry', async () => {
    aws.lambda.addFunction({ name: 'fn' });
    aws.throttle('GetFunction');
    expect(await getFunction(clients.lambda, 'fn')).toMatchObject({ name: 'fn' });
    expect(aws.calls.map((call) => call.errorCode ?? 'ok')).toEqual(['TooManyRequestsException', 'ok']);
  });

  it('says how to configure credentials when none are found', async () => {
    const { AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, ...withoutKeys } = aws.env;
    const error = await rejection(getFunction(createAwsClients({ env: withoutKeys }).lambda, 'fn'));
    expect(error).toMatchObject({ exitCode: ExitCode.awsError, message: 'no AWS credentials found (GetFunction fn)' });
    expect(error!.hint).toMatch(/--profile/);
    expect(aws.calls).toEqual([]);
  });
});
