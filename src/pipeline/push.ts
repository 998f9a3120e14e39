// Pushes a built image to the function's ECR repository, logging in with a fresh ECR token each time the engine needs one.
import type { Repository } from '../aws/ecr.js';
import type { ResolvedConfig } from '../config/types.js';
import { pushImage, type PushedImage, type RegistryCredentials } from '../docker/push.js';
import type { AwsTarget } from './aws-target.js';
import type { BuiltImage } from './build.js';
import type { PipelineContext } from './context.js';

export type { PushedImage } from '../docker/push.js';

/**
 * The password goes only into the engine request, never into a log. `token`: credentials fetched moments ago for this
 * registry (to read the tag first), used for the first attempt instead of asking ECR again.
 */
export async function pushStep(
  ctx: PipelineContext,
  config: ResolvedConfig,
  target: AwsTarget,
  repository: Repository,
  image: Pick<BuiltImage, 'id'>,
  tag: string,
  token?: RegistryCredentials,
): Promise<PushedImage> {
  const docker = await ctx.docker();
  let fresh = token;
  return ctx.out.step(`Pushing ${repository.uri}:${tag}`, (update) =>
    pushImage(docker, {
      localImage: image.id,
      repositoryUri: repository.uri,
      tag,
      architecture: config.architecture,
      credentials: async () => {
        // A refused token asks again: the one given serves the first attempt only.
        const given = fresh;
        fresh = undefined;
        if (given) return given;
        const { getRegistryCredentials } = await import('../aws/ecr.js');
        const credentials = await getRegistryCredentials(target.clients.ecr, repository.registryId);
        ctx.out.debug(`registry ${credentials.serverAddress}: user ${credentials.username}, password ****`);
        return credentials;
      },
      update,
      debug: (line) => ctx.out.debug(line),
      signal: ctx.signal,
    }),
  );
}
