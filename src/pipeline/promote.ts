// `promote --from <target> --to <target>`: deploys exactly the digest the function runs in one named target to the
// same function in another, copying the image between their registries when needed; nothing is built.
import { getFunction, type FunctionView } from '../aws/lambda.js';
import { ExitCode, UserError } from '../core/errors.js';
import type { TargetConfig } from '../config/targets.js';
import type { ResolvedConfig } from '../config/types.js';
import { connectAws } from './aws-target.js';
import { executeDeploy, type DeployOutcome } from './deploy-execute.js';
import { planDeploy, type DeployPlan } from './deploy-plan.js';
import type { StepContext } from './image-step.js';
import type { NamedTarget } from './registry-access.js';

export interface PromoteRequest {
  from: string;
  to: string;
  waitTimeoutSeconds: number;
}

export interface Promotion {
  function: string;
  from: { target: string; region: string; image: string };
  plan: DeployPlan;
  outcome: DeployOutcome;
}

type Context = StepContext & { env: NodeJS.ProcessEnv };

export async function promote(ctx: Context, config: ResolvedConfig, request: PromoteRequest): Promise<Promotion[]> {
  if (request.from === request.to)
    throw new UserError(`--from and --to both name target ${request.from}`, { hint: 'promote between two targets' });
  const toConfig = configFor(config, request.to, '--to');
  const names = [config.functionName];
  const from = await connectNamedTarget(ctx, config, request.from, '--from');
  const promotions: Promotion[] = [];
  for (const name of names) {
    const source = await ctx.out.step(`Reading ${name} in ${request.from} (${from.target.region})`, () =>
      getFunction(from.target.clients.lambda, name),
    );
    if (!source)
      throw new UserError(`function ${name} does not exist in target ${request.from} (${from.target.region})`, {
        exitCode: ExitCode.functionNotFound,
        hint: `deploy it there first, or check targets.${request.from} in the config`,
      });
    checkAccount(source, request.from, from.accountId);
    const image = runningImage(source, request.from);
    const deployRequest = {
      create: false,
      pushAnyway: false,
      dryRun: false,
      waitTimeoutSeconds: request.waitTimeoutSeconds,
      image: { reference: image, from },
    };
    const plan = await planDeploy(ctx, { ...toConfig, functionName: name }, deployRequest);
    if (plan.existing) checkAccount(plan.existing, request.to, config.targets?.[request.to]?.accountId);
    const outcome = await executeDeploy(ctx, plan, {});
    promotions.push({
      function: name,
      from: { target: request.from, region: from.target.region, image },
      plan,
      outcome,
    });
  }
  return promotions;
}

/** AWS clients for a named target of the config. */
export async function connectNamedTarget(
  ctx: { env: NodeJS.ProcessEnv; signal: AbortSignal },
  config: ResolvedConfig,
  name: string,
  flag: string,
): Promise<NamedTarget> {
  const target = await connectAws(configFor(config, name, flag), ctx);
  return { name, target, accountId: config.targets?.[name]?.accountId };
}

/** The config with the named target's region and profile (the command's own profile when the target has none). */
function configFor(config: ResolvedConfig, name: string, flag: string): ResolvedConfig {
  const target: TargetConfig | undefined = config.targets?.[name];
  if (!target) {
    const known = Object.keys(config.targets ?? {});
    throw new UserError(`${flag} ${name}: no such target in the config`, {
      hint: known.length
        ? `pick one of ${known.join(', ')}`
        : 'add "targets": { "staging": { "region": "eu-west-1" }, "prod": { "region": "eu-west-1", "profile": "prod" } }',
    });
  }
  return { ...config, region: target.region, profile: target.profile ?? config.profile };
}

/**
 * The functions of the project to promote: the ones named (by their key in "functions", or their function name),
 * else every one. A name the project does not hold stops before anything is read.
 */
export function functionsToPromote(functions: ResolvedConfig[], names: string[]): ResolvedConfig[] {
  if (names.length === 0) return functions;
  const known = functions.map((fn) => fn.functionKey || fn.functionName);
  return names.map((name) => {
    const found = functions.find((fn) => fn.functionKey === name || fn.functionName === name);
    if (!found)
      throw new UserError(`unknown function ${name}: this config deploys ${known.join(', ')}`, {
        exitCode: ExitCode.usage,
        hint: `run \`tslambda promote --from … --to … ${known[0]}\`, or leave the names out to promote every one`,
      });
    return found;
  });
}

/** The account in the function's ARN must be the one the config names for the target. */
function checkAccount(fn: FunctionView, target: string, accountId: string | undefined): void {
  const found = fn.arn.split(':')[4];
  if (accountId && found !== accountId)
    throw new UserError(
      `target ${target} is account ${accountId}, but its credentials reach account ${found} (${fn.arn})`,
      { exitCode: ExitCode.awsError, hint: `set targets.${target}.profile to a profile of account ${accountId}` },
    );
}

const DIGEST_URI = /^([^@]+)@(sha256:[0-9a-f]{64})$/;

/** The exact image the function runs, by digest: Lambda's ResolvedImageUri, else the reference it was given. */
export function runningImage(fn: FunctionView, target: string): string {
  for (const uri of [fn.resolvedImageUri, fn.imageUri]) if (uri && DIGEST_URI.test(uri)) return uri;
  const repository = fn.imageUri?.replace(/[:@][^/]*$/, '');
  if (repository && fn.codeSha256 && /^[0-9a-f]{64}$/.test(fn.codeSha256))
    return `${repository}@sha256:${fn.codeSha256}`;
  throw new UserError(`cannot tell which digest ${fn.name} runs in target ${target} (image ${fn.imageUri ?? 'none'})`, {
    exitCode: ExitCode.functionIncompatible,
    hint: 'promote needs an image function whose GetFunction reports ResolvedImageUri or CodeSha256',
  });
}
