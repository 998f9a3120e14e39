// The ECR side of a push: find or create the repository, and turn an authorization token into registry credentials.
import {
  CreateRepositoryCommand,
  DescribeRepositoriesCommand,
  GetAuthorizationTokenCommand,
  type ECRClient,
  type Repository as EcrRepository,
} from '@aws-sdk/client-ecr';
import { ExitCode, UserError } from '../core/errors.js';
import { awsCall, awsErrorCode } from './errors.js';

export interface Repository {
  name: string;
  /** <registry host>/<name>: what images are tagged with. */
  uri: string;
  registryId: string;
  arn: string;
}

export interface RegistryCredentials {
  username: string;
  /** Never logged, never written anywhere: passed to the engine per request only. */
  password: string;
  /** host[:port] of the registry, as the engine's authconfig wants it. */
  serverAddress: string;
  expiresAt?: Date;
}

/** ECR's credentials also name the registry's URL with its scheme (proxyEndpoint), for the distribution API. */
export type EcrRegistryCredentials = RegistryCredentials & { endpoint: string };

export interface ResolveRepositoryOptions {
  name: string;
  create: boolean;
  imageTagMutability: 'MUTABLE' | 'IMMUTABLE';
  region: string;
}

function toRepository(found: EcrRepository): Repository {
  return {
    name: found.repositoryName!,
    uri: found.repositoryUri!,
    registryId: found.registryId!,
    arn: found.repositoryArn!,
  };
}

/** The account named in ECR's not-found message ("… in the registry with id '123456789012'"). */
const accountIn = (message: string) => /registry with id '(\d+)'/.exec(message)?.[1];

/** DescribeRepositories for one name; undefined when it does not exist. Creates nothing. */
export async function findRepository(ecr: ECRClient, name: string): Promise<Repository | undefined> {
  try {
    const { repositories } = await ecr.send(new DescribeRepositoriesCommand({ repositoryNames: [name] }));
    return toRepository(repositories![0]!);
  } catch (error) {
    if (awsErrorCode(error) === 'RepositoryNotFoundException') return undefined;
    return awsCall(`DescribeRepositories ${name}`, () => Promise.reject(error));
  }
}

export async function resolveRepository(
  ecr: ECRClient,
  options: ResolveRepositoryOptions,
): Promise<{ repository: Repository; created: boolean }> {
  const { name, region } = options;
  try {
    const { repositories } = await ecr.send(new DescribeRepositoriesCommand({ repositoryNames: [name] }));
    return { repository: toRepository(repositories![0]!), created: false };
  } catch (error) {
    if (awsErrorCode(error) !== 'RepositoryNotFoundException')
      return awsCall(`DescribeRepositories ${name}`, () => Promise.reject(error));
    if (!options.create) {
      const account = accountIn((error as Error).message);
      throw new UserError(
        `ECR repository "${name}" does not exist in ${region}${account ? ` (account ${account})` : ''}`,
        {
          exitCode: ExitCode.awsError,
          hint: `create it with \`aws ecr create-repository --repository-name ${name} --region ${region}\`, or set "createRepository": true`,
          details: { repository: name, region, account },
        },
      );
    }
  }
  try {
    const { repository } = await ecr.send(
      new CreateRepositoryCommand({
        repositoryName: name,
        imageScanningConfiguration: { scanOnPush: true },
        imageTagMutability: options.imageTagMutability,
      }),
    );
    return { repository: toRepository(repository!), created: true };
  } catch (error) {
    // Another deploy created it between our two calls: use theirs.
    if (awsErrorCode(error) === 'RepositoryAlreadyExistsException') {
      const { repositories } = await awsCall(`DescribeRepositories ${name}`, () =>
        ecr.send(new DescribeRepositoriesCommand({ repositoryNames: [name] })),
      );
      return { repository: toRepository(repositories![0]!), created: false };
    }
    return awsCall(`CreateRepository ${name}`, () => Promise.reject(error));
  }
}

/** Decodes the token (base64 "AWS:<password>") of GetAuthorizationToken; the registry address comes from proxyEndpoint. */
export async function getRegistryCredentials(ecr: ECRClient, registryId?: string): Promise<EcrRegistryCredentials> {
  const { authorizationData } = await awsCall('GetAuthorizationToken', () =>
    ecr.send(new GetAuthorizationTokenCommand(registryId ? { registryIds: [registryId] } : {})),
  );
  const data = authorizationData?.[0];
  const decoded = data?.authorizationToken ? Buffer.from(data.authorizationToken, 'base64').toString('utf8') : '';
  const separator = decoded.indexOf(':');
  if (!data?.proxyEndpoint || separator <= 0) {
    throw new UserError('GetAuthorizationToken returned no usable registry credentials', {
      exitCode: ExitCode.awsError,
    });
  }
  return {
    username: decoded.slice(0, separator),
    password: decoded.slice(separator + 1),
    serverAddress: data.proxyEndpoint.replace(/^[a-z]+:\/\//i, '').replace(/\/+$/, ''),
    endpoint: /^[a-z]+:\/\//i.test(data.proxyEndpoint) ? data.proxyEndpoint : `https://${data.proxyEndpoint}`,
    expiresAt: data.expiresAt,
  };
}

// Moved to core so the engine adapter masks the same forms; kept here for callers of the ECR adapter.
export { maskSecret } from '../core/secrets.js';
