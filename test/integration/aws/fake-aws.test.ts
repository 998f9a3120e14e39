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

describe('fake regions and accounts', () => {
  const otherAccount = {
    accessKeyId: 'AKIAFAKETESTKEY00002',
    secretAccessKey: 'another/secret/for/tests/only000000000000',
  };
  let multi: FakeAws;
  beforeEach(async () => {
    multi = await startFakeAws({
      region: 'eu-west-1',
      registry: { host: '127.0.0.1:5999', password: 'registry-pass' },
      partitions: [
        { region: 'us-east-1', registry: { host: '127.0.0.1:5998', password: 'other-pass' } },
        { region: 'eu-west-1', accountId: '210987654321', credentials: otherAccount },
      ],
    });
  });
  afterEach(async () => {
    await multi.close();
  });
  const clientFor = (region: string, accountId?: string) => {
    const at = multi.partition(region, accountId);
    return { endpoint: multi.endpoint, region, credentials: at.credentials, maxAttempts: 1 };
  };

  it('keeps functions and repositories apart per (account, region), each region with its own registry', async () => {
    multi.partition('us-east-1').lambda.addFunction({ name: 'api' });
    const east = new LambdaClient(clientFor('us-east-1'));
    const west = new LambdaClient(clientFor('eu-west-1'));
    const otherWest = new LambdaClient(clientFor('eu-west-1', '210987654321'));
    expect((await east.send(new GetFunctionCommand({ FunctionName: 'api' }))).Configuration?.FunctionArn).toBe(
      'arn:aws:lambda:us-east-1:123456789012:function:api',
    );
    for (const client of [west, otherWest]) {
      const error = await client.send(new GetFunctionCommand({ FunctionName: 'api' })).catch((e: unknown) => e);
      expect(error).toMatchObject({ name: 'ResourceNotFoundException' });
    }
    const { repository } = await new ECRClient(clientFor('us-east-1')).send(
      new CreateRepositoryCommand({ repositoryName: 'app' }),
    );
    expect(repository?.repositoryUri).toBe('127.0.0.1:5998/app');
    expect(multi.partition('eu-west-1').ecr.repositories.size).toBe(0);
    expect(multi.calls.map((call) => `${call.accountId}/${call.region} ${call.operation}`)).toEqual([
      '123456789012/us-east-1 GetFunction',
      '123456789012/eu-west-1 GetFunction',
      '210987654321/eu-west-1 GetFunction',
      '123456789012/us-east-1 CreateRepository',
    ]);
    expect(multi.unexpected).toEqual([]);
  });

  it('refuses a region the account was not started in, naming the regions it has', async () => {
    const nowhere = new LambdaClient({ ...clientFor('us-east-1'), credentials: otherAccount });
    const error = await nowhere.send(new GetFunctionCommand({ FunctionName: 'api' })).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'InvalidSignatureException', $metadata: { httpStatusCode: 403 } });
    expect(multi.unexpected[0]).toContain('credential scope us-east-1/lambda, expected eu-west-1/lambda');
  });

  it('gives each partition the environment that points the CLI at it', () => {
    expect(multi.partition('eu-west-1', '210987654321').env).toMatchObject({
      AWS_ENDPOINT_URL: multi.endpoint,
      AWS_REGION: 'eu-west-1',
      AWS_ACCESS_KEY_ID: otherAccount.accessKeyId,
    });
    expect(() => multi.partition('ap-south-1')).toThrow('no partition 123456789012/ap-south-1');
  });
});
