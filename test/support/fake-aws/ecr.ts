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

export interface ReplicationRule {
  destinations: Array<{ region: string; registryId: string }>;
  repositoryFilters?: Array<{ filter: string; filterType: 'PREFIX_MATCH' }>;
}

export const ECR_TARGET_PREFIX = 'AmazonEC2ContainerRegistry_V20150921.';

export class FakeEcr {
  static readonly operations = [
    'DescribeRepositories',
    'CreateRepository',
    'GetAuthorizationToken',
    'DescribeRegistry',
    'DescribeImages',
  ];
  readonly repositories = new Map<string, FakeRepository>();
  /** The registry's replication rules as DescribeRegistry returns them (ECR's shape); none by default. */
  replicationConfiguration: { rules: ReplicationRule[] } = { rules: [] };
  /**
   * Digests ECR knows in each repository. Pushes go to the real registry behind the fake, which the fake does not
   * watch: a test records what DescribeImages should find (a push, or a replica arriving) with addImage.
   */
  private readonly images = new WeakMap<FakeRepository, Set<string>>();
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

  /** Records an image in a repository (made when missing, as replication does), for DescribeImages. */
  addImage(repositoryName: string, digest: string): void {
    const repository = this.repositories.get(repositoryName) ?? this.addRepository(repositoryName);
    const digests = this.images.get(repository) ?? new Set<string>();
    digests.add(digest);
    this.images.set(repository, digests);
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
      case 'DescribeRegistry':
        return {
          status: 200,
          body: { registryId: this.options.accountId, replicationConfiguration: this.replicationConfiguration },
        };
      case 'DescribeImages':
        return this.describeImages(input);
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

  /** By digest only, as tslambda asks; a digest not (yet) there is ImageNotFoundException, as in ECR. */
  private describeImages(input: Record<string, unknown>): Reply {
    const name = String(input.repositoryName);
    const [repository] = (
      this.describeRepositories({ repositoryNames: [name] }).body as { repositories: FakeRepository[] }
    ).repositories;
    const known = this.images.get(repository!) ?? new Set<string>();
    const wanted = ((input.imageIds as Array<{ imageDigest?: string }> | undefined) ?? []).map((id) => id.imageDigest);
    const missing = wanted.find((digest) => !digest || !known.has(digest));
    if (missing !== undefined)
      throw new AwsFault(
        400,
        'ImageNotFoundException',
        `The image with imageId {imageDigest:'${missing}'} does not exist within the repository with name '${name}' in the registry with id '${this.options.accountId}'`,
      );
    const imageDetails = wanted.map((imageDigest) => ({
      registryId: this.options.accountId,
      repositoryName: name,
      imageDigest,
    }));
    return { status: 200, body: { imageDetails } };
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
