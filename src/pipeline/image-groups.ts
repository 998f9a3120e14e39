// Which functions of a project can run the same image: identical build inputs (context, Dockerfile, base, build
// args, target, architecture, bundling), with the handler left to run time, as Lambda's ImageConfig.Command allows.
// A bundled handler is itself an input (the bundle is what the image ships), so bundled handlers that differ part.
import { planBundle } from '../bundle/plan.js';
import type { ResolvedConfig } from '../config/types.js';

export interface ImageGroup {
  /** The build inputs, as a stable string: equal keys build the same image. */
  key: string;
  /** The functions this image serves, in project order; the first one's config builds it. */
  members: ResolvedConfig[];
  /** More than one handler: each function runs its own through ImageConfig.Command (or invoke-local's Cmd). */
  handlerAtRunTime: boolean;
}

const sorted = (map: Record<string, string>) =>
  Object.fromEntries(Object.entries(map).sort(([a], [b]) => (a < b ? -1 : 1)));

/** The inputs that decide the image's content; `handler` only when the handler is bundled into it. */
export function imageInputs(config: ResolvedConfig, bundled: boolean): string {
  return JSON.stringify({
    context: config.context,
    dockerfile: config.dockerfile ?? null,
    baseImage: config.baseImage,
    buildArgs: sorted(config.buildArgs),
    labels: sorted(config.labels),
    target: config.target ?? null,
    architecture: config.architecture,
    external: [...config.external].sort(),
    program: config.program ?? null,
    handler: bundled ? config.handler : null,
  });
}

/** Would the build bundle this handler? A handler that cannot load counts as bundled: its own build reports it. */
async function isBundled(config: ResolvedConfig, bundle: boolean | undefined): Promise<boolean> {
  if (config.program) return false;
  return planBundle(config, { bundle }).then(
    (plan) => plan.bundle,
    () => true,
  );
}

export async function groupByImage(
  configs: ResolvedConfig[],
  options: { bundle?: boolean } = {},
): Promise<ImageGroup[]> {
  const keys = await Promise.all(
    configs.map(async (config) => imageInputs(config, await isBundled(config, options.bundle))),
  );
  const groups = new Map<string, ResolvedConfig[]>();
  configs.forEach((config, index) => {
    const members = groups.get(keys[index]!) ?? [];
    // One function deployed to several regions appears once per region: it is one member.
    if (!members.some((member) => member.functionKey === config.functionKey)) members.push(config);
    groups.set(keys[index]!, members);
  });
  return [...groups].map(([key, members]) => ({
    key,
    members,
    handlerAtRunTime: new Set(members.map((member) => member.handler)).size > 1,
  }));
}

/** The command a function's environment runs the shared image with; undefined: the image's own CMD is right. */
export const runTimeCommand = (group: ImageGroup, config: ResolvedConfig): string[] | undefined =>
  group.handlerAtRunTime ? [config.handler] : undefined;

/**
 * The tag each group's image gets: the run's tag, unless another image of the run goes to the same repository, where
 * one tag would name two images; then each is told apart by its first function (`v1-api`, `v1-cron`).
 */
export function groupTags(groups: ImageGroup[], tag: string): Map<string, string> {
  const repositoriesOf = (group: ImageGroup) => new Set(group.members.map((member) => member.repository));
  return new Map(
    groups.map((group) => {
      const mine = repositoriesOf(group);
      const shared = groups.some((other) => other !== group && [...repositoriesOf(other)].some((r) => mine.has(r)));
      return [group.key, shared ? `${tag}-${group.members[0]!.functionKey}`.slice(0, 128) : tag];
    }),
  );
}
