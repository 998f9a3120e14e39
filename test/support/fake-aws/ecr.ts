// The fake ECR: repositories and authorization tokens that point at the test registry, JSON 1.1 operations.
import { AwsFault, type Reply } from './protocol.js';

export interface FakeRepository {
  repositoryName: string;
  repositoryUri: string;
  repositoryArn: string;
  registryId: string;
  createdAt: number;
  imageTagMutability: string;
  imageScanningConfiguration: { scanOnPush: boolean };
}

export interface FakeEcrOptions {
  region: string;
  accountId: string;
  /** host:port of the registry image references point at, e.g. 127.0.0.1:5000. */
  registryHost: string;
  /** URL returned as proxyEndpoint, e.g. http://127.0.0.1:5000. */
  proxyEndpoint: string;
  /** The registry password the token carries (user is always AWS). */
  registryPassword: string;
}

export const ECR_TARGET_PREFIX = 'AmazonEC2ContainerRegistry_V20150921.';

export class FakeEcr {
  static readonly operations = ['DescribeRepositories', 'CreateRepository', 'GetAuthorizationToken'];
  readonly repositories = new Map<string, FakeRepository>();
  /** Tokens handed out so far; a test may change the password between calls to model rotation. */
  tokensIssued = 0;

  constructor(readonly options: FakeEcrOptions) {}

  addRepository(
    name: string,
    settings: Partial<Pick<FakeRepository, 'imageTagMutability' | 'imageScanningConfiguration'>> = {},
  ): FakeRepository {
    const { accountId, region, registryHost } = this.options;
    const repository: FakeRepository = {
      repositoryName: name,
      repositoryUri: `${registryHost}/${name}`,
      repositoryArn: `arn:aws:ecr:${region}:${accountId}:repository/${name}`,
      registryId: accountId,
      createdAt: Math.floor(Date.now() / 1000),
      imageTagMutability: settings.imageTagMutability ?? 'MUTABLE',
      imageScanningConfiguration: settings.imageScanningConfiguration ?? { scanOnPush: false },
    };
    this.repositories.set(name, repository);
    return repository;
  }

  /** Answers one operation, or throws an AwsFault; unknown operations return undefined. */
  handle(operation: string, input: Record<string, unknown>): Reply | undefined {
    switch (operation) {
      case 'DescribeRepositories':
        return this.describeRepositories(input);
      case 'CreateRepository':
        return this.createRepository(input);
      case 'GetAuthorizationToken':
        return this.getAuthorizationToken();
      default:
        return undefined;
    }
  }

  private describeRepositories(input: Record<string, unknown>): Reply {
    const names = (input.repositoryNames as string[] | undefined) ?? [...this.repositories.keys()];
    const found = names.map((name) => {
      const repository = this.repositories.get(name);
      if (!repository) {
        throw new AwsFault(
          400,
          'RepositoryNotFoundException',
          `The repository with name '${name}' does not exist in the registry with id '${this.options.accountId}'`,
        );
      }
      return repository;
    });
    return { status: 200, body: { repositories: found } };
  }

  private createRepository(input: Record<string, unknown>): Reply {
    const name = input.repositoryName;
    if (typeof name !== 'string' || !/^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*\/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$/.test(name)) {
      throw new AwsFault(
        400,
        'InvalidParameterException',
        `Invalid parameter at 'repositoryName' failed to satisfy constraint: 'must satisfy regular expression pattern'`,
      );
    }
    if (this.repositories.has(name)) {
      throw new AwsFault(
        400,
        'RepositoryAlreadyExistsException',
        `The repository with name '${name}' already exists in the registry with id '${this.options.accountId}'`,
      );
    }
    const repository = this.addRepository(name, {
      imageTagMutability: input.imageTagMutability as string | undefined,
      imageScanningConfiguration: input.imageScanningConfiguration as { scanOnPush: boolean } | undefined,
    });
    return { status: 200, body: { repository } };
  }

  private getAuthorizationToken(): Reply {
    this.tokensIssued += 1;
    const token = Buffer.from(`AWS:${this.options.registryPassword}`).toString('base64');
    return {
      status: 200,
      body: {
        authorizationData: [
          {
            authorizationToken: token,
            expiresAt: Math.floor(Date.now() / 1000) + 12 * 3600,
            proxyEndpoint: this.options.proxyEndpoint,
          },
        ],
      },
    };
  }
}
