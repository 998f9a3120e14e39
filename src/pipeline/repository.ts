// The function's ECR repository: found, or created when the config allows it.
import type { Repository } from '../aws/ecr.js';
import type { ResolvedConfig } from '../config/types.js';
import type { AwsTarget } from './aws-target.js';
import type { PipelineContext } from './context.js';

export type { Repository } from '../aws/ecr.js';

export function repositoryStep(
  ctx: Pick<PipelineContext, 'out'>,
  config: ResolvedConfig,
  // A target still connecting (the SDK loading) is awaited inside the step, so that its line shows first.
  connecting: AwsTarget | Promise<AwsTarget>,
): Promise<Repository> {
  return ctx.out.step(`Resolving ECR repository ${config.repository}`, async () => {
    const [target, { resolveRepository }] = await Promise.all([connecting, import('../aws/ecr.js')]);
    const { repository, created } = await resolveRepository(target.clients.ecr, {
      name: config.repository,
      create: config.createRepository,
      imageTagMutability: config.imageTagMutability,
      region: target.region,
    });
    if (created)
      ctx.out.info(
        `created ECR repository ${repository.uri} (scan on push, tags ${config.imageTagMutability.toLowerCase()})`,
      );
    return repository;
  });
}
