// The fake AWS endpoint answers the real SDK clients like AWS does: signed requests, real error shapes, state over polls.
import {
  CreateRepositoryCommand,
  DescribeRepositoriesCommand,
  ECRClient,
  GetAuthorizationTokenCommand,
} from '@aws-sdk/client-ecr';
import {
  GetFunctionCommand,
  LambdaClient,
  ListFunctionsCommand,
  UpdateFunctionCodeCommand,
} from '@aws-sdk/client-lambda';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type FakeAws, startFakeAws } from '../../support/fake-aws/index.js';

const digest = `sha256:${'a'.repeat(64)}`;
let aws: FakeAws;
const clientConfig = () => ({
  endpoint: aws.endpoint,
  region: aws.region,
  credentials: aws.credentials,
  maxAttempts: 1,
});

beforeEach(async () => {
  aws = await startFakeAws({ registry: { host: '127.0.0.1:5999', password: 'registry-pass' } });
});
afterEach(async () => {
  await aws.close();
});

describe('fake ECR', () => {
  it('answers RepositoryNotFoundException, then creates, then hands out a token for the test registry', async () => {
    const ecr = new ECRClient(clientConfig());
    const missing = await ecr
      .send(new DescribeRepositoriesCommand({ repositoryNames: ['app'] }))
      .catch((error: unknown) => error);
    expect(missing).toMatchObject({ name: 'RepositoryNotFoundException', $metadata: { httpStatusCode: 400 } });
    expect((missing as Error).message).toContain("'app' does not exist in the registry with id '123456789012'");
    const { repository } = await ecr.send(
      new CreateRepositoryCommand({ repositoryName: 'app', imageScanningConfiguration: { scanOnPush: true } }),
    );
    expect(repository).toMatchObject({
      repositoryUri: '127.0.0.1:5999/app',
      imageScanningConfiguration: { scanOnPush: true },
    });
    const { authorizationData } = await ecr.send(new GetAuthorizationTokenCommand({}));
    expect(Buffer.from(authorizationData![0]!.authorizationToken!, 'base64').toString()).toBe('AWS:registry-pass');
    expect(authorizationData![0]!.proxyEndpoint).toBe('http://127.0.0.1:5999');
    expect(aws.operations('ecr')).toEqual(['DescribeRepositories', 'CreateRepository', 'GetAuthorizationToken']);
    expect(aws.unexpected).toEqual([]);
  });
});

describe('fake Lambda', () => {
  it('answers 404 ResourceNotFoundException with the errortype header the SDK reads', async () => {
    const lambda = new LambdaClient(clientConfig());
    const error = await lambda.send(new GetFunctionCommand({ FunctionName: 'nope' })).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'ResourceNotFoundException', $metadata: { httpStatusCode: 404 } });
    expect((error as Error).message).toBe('Function not found: arn:aws:lambda:us-east-1:123456789012:function:nope');
  });

  it('moves an update InProgress → Successful over polls and refuses a second update meanwhile', async () => {
    aws.lambda.addFunction({ name: 'fn' });
    const lambda = new LambdaClient(clientConfig());
    const imageUri = `127.0.0.1:5999/app@${digest}`;
    const updated = await lambda.send(new UpdateFunctionCodeCommand({ FunctionName: 'fn', ImageUri: imageUri }));
    expect(updated.LastUpdateStatus).toBe('InProgress');
    const conflict = await lambda
      .send(new UpdateFunctionCodeCommand({ FunctionName: 'fn', ImageUri: imageUri }))
      .catch((e: unknown) => e);
    expect(conflict).toMatchObject({ name: 'ResourceConflictException', $metadata: { httpStatusCode: 409 } });
    const statuses = [];
    for (let i = 0; i < 3; i++)
      statuses.push(
        (await lambda.send(new GetFunctionCommand({ FunctionName: 'fn' }))).Configuration?.LastUpdateStatus,
      );
    expect(statuses).toEqual(['InProgress', 'Successful', 'Successful']);
    const after = await lambda.send(new GetFunctionCommand({ FunctionName: 'fn' }));
    expect(after.Code?.ResolvedImageUri).toBe(imageUri);
    expect(after.Configuration?.CodeSha256).toBe('a'.repeat(64));
  });

  it('throttles on demand with 429 TooManyRequestsException', async () => {
    aws.lambda.addFunction({ name: 'fn' });
    aws.throttle('GetFunction');
    const error = await new LambdaClient(clientConfig())
      .send(new GetFunctionCommand({ FunctionName: 'fn' }))
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'TooManyRequestsException', $metadata: { httpStatusCode: 429 } });
  });

  it('records operations it does not model and requests signed with the wrong secret', async () => {
    await new LambdaClient(clientConfig()).send(new ListFunctionsCommand({})).catch(() => undefined);
    const wrong = new LambdaClient({
      ...clientConfig(),
      credentials: { ...aws.credentials, secretAccessKey: 'not-the-secret' },
    });
    const error = await wrong.send(new GetFunctionCommand({ FunctionName: 'fn' })).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'InvalidSignatureException', $metadata: { httpStatusCode: 403 } });
    expect(aws.unexpected).toHaveLength(2);
    expect(aws.unexpected[0]).toMatch(/GET \/2015-03-31\/functions\/? is not modelled/);
    expect(aws.unexpected[1]).toContain('signature rejected');
    expect(aws.calls).toEqual([]);
  });
});
