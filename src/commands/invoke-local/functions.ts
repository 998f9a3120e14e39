// Which functions invoke-local runs, and how: each with the image its project builds for it (the shared one when
// functions share an image) and, on a shared image, its own handler as the container's command, as Lambda's
// ImageConfig.Command does in AWS.
import { UserError } from '../../core/errors.js';
import type { ResolvedConfig } from '../../config/types.js';
import type { CommandContext } from '../types.js';

export interface LocalFunction {
  config: ResolvedConfig;
  /** The config the image is built from: the first function of its image group. */
  buildConfig: ResolvedConfig;
  /** The container's command (the handler), when the image serves several handlers. */
  cmd?: string[];
}

export async function localFunctions(
  ctx: CommandContext,
  args: { names?: string[]; all: boolean; bundle: boolean; serve?: number; watch: boolean },
): Promise<LocalFunction[]> {
  const [{ selectFunctions }, { groupByImage, runTimeCommand }, project] = await Promise.all([
    import('../../pipeline/targets.js'),
    import('../../pipeline/image-groups.js'),
    ctx.loadProject(),
  ]);
  const chosen = selectFunctions(project.functions, { names: args.names, all: args.all });
  if (chosen.length > 1 && (args.serve !== undefined || args.watch))
    throw new UserError(`--serve and --watch run one function; ${chosen.length} were named`, {
      hint: `name one, e.g. \`tslambda invoke-local ${chosen[0]!.functionKey} --serve\``,
    });
  if (project.functions.length === 1) return [{ config: chosen[0]!, buildConfig: chosen[0]! }];
  const groups = await groupByImage(project.functions, { bundle: args.bundle });
  return chosen.map((config) => {
    const group = groups.find((each) => each.members.some((member) => member.functionKey === config.functionKey))!;
    return { config, buildConfig: group.members[0]!, cmd: runTimeCommand(group, config) };
  });
}
