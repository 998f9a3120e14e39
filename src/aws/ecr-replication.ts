// ECR replication: whether a registry copies a repository's images to another region by itself (DescribeRegistry),
// and waiting for a replica to arrive there (DescribeImages), so a multi-region push need not push twice.
import { DescribeImagesCommand, DescribeRegistryCommand, type ECRClient } from '@aws-sdk/client-ecr';
import { setTimeout as sleep } from 'node:timers/promises';
import { ExitCode, UserError } from '../core/errors.js';
import { awsCall, awsErrorCode } from './errors.js';

/** True when the registry's replication rules copy `repository` to `region` of the same account. */
export async function replicatesTo(ecr: ECRClient, repository: string, region: string): Promise<boolean> {
  const { registryId, replicationConfiguration } = await awsCall('DescribeRegistry', () =>
    ecr.send(new DescribeRegistryCommand({})),
  );
  return (replicationConfiguration?.rules ?? []).some(
    (rule) =>
      (rule.destinations ?? []).some((d) => d.region === region && d.registryId === registryId) &&
      // No filter replicates every repository; PREFIX_MATCH filters name the repositories it does.
      ((rule.repositoryFilters ?? []).length === 0 ||
        (rule.repositoryFilters ?? []).some(
          (f) => f.filterType === 'PREFIX_MATCH' && repository.startsWith(f.filter!),
        )),
  );
}

const NOT_THERE_YET = new Set(['ImageNotFoundException', 'RepositoryNotFoundException']);

/** Polls DescribeImages until the digest is in the repository, or fails after `timeoutSeconds`. */
export async function waitForReplica(
  ecr: ECRClient,
  repository: string,
  digest: string,
  options: { region: string; timeoutSeconds: number; signal?: AbortSignal; intervalMs?: number },
): Promise<void> {
  const deadline = Date.now() + options.timeoutSeconds * 1000;
  for (;;) {
    try {
      const { imageDetails } = await ecr.send(
        new DescribeImagesCommand({ repositoryName: repository, imageIds: [{ imageDigest: digest }] }),
        { abortSignal: options.signal },
      );
      if ((imageDetails ?? []).some((image) => image.imageDigest === digest)) return;
    } catch (error) {
      if (!NOT_THERE_YET.has(awsErrorCode(error) ?? ''))
        return awsCall(`DescribeImages ${repository}`, () => Promise.reject(error));
    }
    if (Date.now() > deadline)
      throw new UserError(
        `ECR replication did not bring ${digest.slice(0, 19)} to ${repository} in ${options.region} within ${options.timeoutSeconds}s`,
        {
          exitCode: ExitCode.pushFailed,
          hint: 'check the registry replication rules (aws ecr describe-registry), or raise --wait-timeout',
        },
      );
    await sleep(options.intervalMs ?? 1000, undefined, { signal: options.signal });
  }
}
