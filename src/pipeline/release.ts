// The steps `push` and `deploy` share: AWS clients for the configured target, the tag, the repository, build and push.
import type { AwsClients } from '../aws/clients.js';
import { createAwsClients, resolvedRegion } from '../aws/clients.js';
import { getRegistryCredentials, resolveRepository, type Repository } from '../aws/ecr.js';
import { toAwsUserError } from '../aws/errors.js';
import type { ResolvedConfig } from '../config/types.js';
import type { BuiltImage } from '../docker/build.js';
import { pushImage, type PushedImage } from '../docker/push.js';
import { resolveTag, type TagSource } from './tag-policy.js';
import type { BuildFlags } from '../commands/build-flags.js';
import { buildStep } from '../commands/build.js';
import type { CommandContext } from '../commands/types.js';

export interface AwsTarget {
  clients: AwsClients;
  region: string;
}

/** Clients for the configured target, reading AWS settings from the command's environment (never process.env). */
export async function connectAws(config: ResolvedConfig, ctx: Pick<CommandContext, 'env' | 'signal'>): Promise<AwsTarget> {
  const clients = createAwsClients({ env: ctx.env, region: config.region, profile: config.profile, signal: ctx.signal });
  try {
    return { clients, region: await resolvedRegion(clients.ecr) };
  } catch (error) {
    throw toAwsUserError(error, 'resolving the AWS region');
  }
}

export async function chooseTag(config: ResolvedConfig, ctx: CommandContext): Promise<{ tag: string; source: TagSource }> {
  const chosen = await resolveTag({ explicit: config.tag, cwd: config.context });
  ctx.out.debug(`image tag ${chosen.tag} (from ${chosen.source === 'explicit' ? '--tag / config "tag"' : chosen.source === 'git' ? 'the git commit' : 'the clock, UTC'})`);
  return chosen;
}

export function repositoryStep(ctx: CommandContext, config: ResolvedConfig, target: AwsTarget): Promise<Repository> {
  return ctx.out.step(`Resolving ECR repository ${config.repository}`, async () => {
    const { repository, created } = await resolveRepository(target.clients.ecr, {
      name: config.repository,
      create: config.createRepository,
      imageTagMutability: config.imageTagMutability,
      region: target.region,
    });
    if (created) ctx.out.info(`created ECR repository ${repository.uri} (scan on push, tags ${config.imageTagMutability.toLowerCase()})`);
    return repository;
  });
}

/** Builds with the build command's own step, tagged with the release tag. */
export function releaseBuild(ctx: CommandContext, config: ResolvedConfig, args: BuildFlags, tag: string): Promise<BuiltImage> {
  return buildStep(ctx, { ...config, tag }, args);
}

/** Pushes with credentials from a fresh ECR token; the password goes only into the engine request. */
export async function pushStep(ctx: CommandContext, config: ResolvedConfig, target: AwsTarget, repository: Repository, image: BuiltImage, tag: string): Promise<PushedImage> {
  const docker = await ctx.docker();
  return ctx.out.step(`Pushing ${repository.uri}:${tag}`, (update) =>
    pushImage(docker, {
      localImage: image.id,
      repositoryUri: repository.uri,
      tag,
      architecture: config.architecture,
      credentials: async () => {
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
