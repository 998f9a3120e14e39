// The image work targets share in a run over many: one build per image group, one repository look-up per
// repository × region, one push per image × repository × region. The first target to need a piece starts it
// (its row shows the steps); the others wait for the same promise under a step of their own. A region the
// first region's registry replicates to (ECR replication) waits for the replica instead of a second push. With a
// remote builder (CodeBuild) an image group is built and pushed in one build per region, no local engine involved.
// Before any build, a target whose function runs an image of the group's build inputs is up to date (up-to-date.ts).
import { findRepository } from '../aws/ecr.js';
import type { FunctionView } from '../aws/lambda.js';
import { replicatesTo, waitForReplica } from '../aws/ecr-replication.js';
import type { ResolvedConfig } from '../config/types.js';
import type { AwsTarget } from './aws-target.js';
import type { LabelledImage } from '../docker/image-lookup.js';
import { prepareBuild, runBuild, type BuildOptions, type BuiltImage, type PreparedBuild } from './build.js';
import { buildAndPush } from './build-push.js';
import type { PipelineContext } from './context.js';
import type { ImageGroup } from './image-groups.js';
import { pushStep, type PushedImage } from './push.js';
import { repositoryStep, type Repository } from './repository.js';
import { engineSlots, limiter, onceEach } from './run-many.js';
import { imageToPush, pushUnlessRunning, runningAlready, sameInputsImages, taggedAmong } from './up-to-date.js';

export interface SharedImages {
  /** The group's image, built once for the run (tagged `tag`). */
  built(ctx: PipelineContext, group: ImageGroup, tag: string): Promise<BuiltImage>;
  /**
   * The group's image in the target's repository and region: pushed once there, or replicated there, or neither
   * when `running` (the target's function, as it is) already runs this very build there.
   */
  pushed(
    ctx: PipelineContext,
    group: ImageGroup,
    config: ResolvedConfig,
    aws: AwsTarget,
    tag: string,
    running?: FunctionView,
  ): Promise<PushedImage>;
}

/** Where an image first goes for a repository: the region whose registry may replicate it to the others. */
interface Home {
  region: string;
  aws: AwsTarget;
  pushed: Promise<PushedImage>;
}

export function sharedImages(build: BuildOptions, options: { waitTimeoutSeconds?: number } = {}): SharedImages {
  const preparations = onceEach<PreparedBuild>();
  const labelled = onceEach<LabelledImage[]>();
  const builds = joinOnce<BuiltImage>();
  const toPush = onceEach<Pick<BuiltImage, 'id'>>();
  const repositories = joinOnce<Repository>();
  const pushes = joinOnce<PushedImage>();
  const homes = new Map<string, Home>();
  const replication = onceEach<boolean>();
  // Bundling, hashing and building are the machine's own work: one image per CPU at once, whatever the
  // number of targets in flight.
  const onEngine = limiter(engineSlots());
  // Each group's build is prepared once (bundle, context, inputs hash); its labelled images are looked up once.
  const prepared = (ctx: PipelineContext, group: ImageGroup, tag: string) =>
    preparations(group.key, () => onEngine(() => prepareBuild(ctx, { ...group.members[0]!, tag }, build)));
  const sameInputs = (ctx: PipelineContext, group: ImageGroup, tag: string) =>
    labelled(group.key, async () => sameInputsImages(ctx, await prepared(ctx, group, tag), build));
  const built: SharedImages['built'] = (ctx, group, tag) =>
    builds(ctx, group.key, `Waiting for the image built for ${group.members[0]!.functionKey}`, async () => {
      const preparedBuild = await prepared(ctx, group, tag);
      return onEngine(() => runBuild(ctx, { ...group.members[0]!, tag }, preparedBuild, build));
    });
  const pushedHere: SharedImages['pushed'] = async (ctx, group, config, aws, tag, running) => {
    const repository = await repositories(
      ctx,
      `${aws.region}|${config.repository}`,
      `Waiting for ECR repository ${config.repository}`,
      () => repositoryStep(ctx, config, aws),
    );
    const key = `${group.key}|${aws.region}|${config.repository}`;
    const waiting = `Waiting for the push to ${repository.uri}`;
    if (config.builder?.type === 'codebuild')
      return pushes(ctx, key, waiting, () => buildAndPush(ctx, config, aws, repository, tag, build));
    const images = await sameInputs(ctx, group, tag);
    const current = runningAlready(ctx, images, running, repository, config.functionName);
    if (current) return current;
    return pushes(ctx, key, waiting, async () => {
      const tagged = running ? {} : await taggedAmong(ctx, images, aws, repository, tag);
      if (tagged.found) return tagged.found;
      const image = await toPush(group.key, () => imageToPush(ctx, images, () => built(ctx, group, tag)));
      return pushUnlessRunning(ctx, running, repository, image, config.functionName, () =>
        pushStep(ctx, config, aws, repository, image, tag, tagged.token),
      );
    });
  };
  // Replication rules are read once per home region, repository and region; a refused read means "push there too".
  const replicates = (ctx: PipelineContext, home: Home, repository: string, region: string) =>
    replication(`${home.region}|${repository}|${region}`, () =>
      replicatesTo(home.aws.clients.ecr, repository, region).catch((error: unknown) => {
        ctx.out.debug(`cannot read the replication rules in ${home.region}, pushing instead: ${String(error)}`);
        return false;
      }),
    );
  return {
    built,
    async pushed(ctx, group, config, aws, tag, running) {
      const homeKey = `${group.key}|${config.repository}`;
      const home = homes.get(homeKey);
      if (!home) {
        const pushed = pushedHere(ctx, group, config, aws, tag, running);
        homes.set(homeKey, { region: aws.region, aws, pushed });
        return pushed;
      }
      if (home.region !== aws.region && (await replicates(ctx, home, config.repository, aws.region)))
        return replica(ctx, home, config, aws, options.waitTimeoutSeconds ?? 300);
      return pushedHere(ctx, group, config, aws, tag, running);
    },
  };
}

/** The image as ECR replication brings it from the home region: waited for, never pushed again. */
async function replica(
  ctx: PipelineContext,
  home: Home,
  config: ResolvedConfig,
  aws: AwsTarget,
  timeoutSeconds: number,
): Promise<PushedImage> {
  const source = await ctx.out.step(`Waiting for the push to ${home.region}`, () => home.pushed);
  await ctx.out.step(`Waiting for ECR to replicate ${source.digest.slice(0, 19)} from ${home.region}`, () =>
    waitForReplica(aws.clients.ecr, config.repository, source.digest, {
      region: aws.region,
      timeoutSeconds,
      signal: ctx.signal,
    }),
  );
  const repository = await findRepository(aws.clients.ecr, config.repository);
  const uri = repository?.uri ?? source.imageUri.split('@')[0]!;
  const tag = source.taggedReference.slice(source.taggedReference.lastIndexOf(':') + 1);
  return {
    ...source,
    imageUri: `${uri}@${source.digest}`,
    taggedReference: `${uri}:${tag}`,
    layers: { ...source.layers, pushed: 0, existed: 0 },
  };
}

/** Starts the work for a key once; a later caller shows a waiting step for it instead of doing it again. */
function joinOnce<T>() {
  const once = onceEach<T>();
  const owners = new Set<string>();
  return (ctx: PipelineContext, key: string, waitingTitle: string, start: () => Promise<T>): Promise<T> => {
    if (!owners.has(key)) {
      owners.add(key);
      return once(key, start);
    }
    return ctx.out.step(waitingTitle, () => once(key, start));
  };
}
