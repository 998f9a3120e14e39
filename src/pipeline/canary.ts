// `deploy --canary`: shift part of the alias's traffic to the new version, bake while watching its errors in
// CloudWatch, then promote it to 100% or put the alias (and $LATEST) back. Ctrl-C removes the weight.
import { ExitCode, UserError, isUserError } from '../core/errors.js';
import type { Output } from '../core/output.js';
import { aliasVersion, clearRoutingCommand, routeAlias } from '../aws/alias-routing.js';
import { pointAlias } from '../aws/lambda.js';
import { DEFAULT_BAKE, parseDurationMs, parseErrorRate, parseWeight } from '../config/canary.js';
import { bake, type BakeVerdict, type Counts } from './bake.js';
import type { AfterUpdateStep } from './deploy-execute.js';
import { namesState } from './deploy-interrupted.js';
import type { DeployPlan } from './deploy-plan.js';
import { restoreCommands, undoDeploy, type DeployedState } from './smoke.js';

export interface CanaryRequest {
  /** The share of the alias's traffic the new version gets, above 0 and below 1. */
  weight: number;
  bakeMs: number;
  maxErrorRate: number;
}

export interface CanaryOutcome extends Counts {
  weight: number;
  bakeMs: number;
  result: 'promoted' | 'skipped';
  /** GetMetricData calls made during the bake. */
  polls: number;
}

/** The flags as a request (their formats are checked by the option table); --canary needs an alias to split. */
export function canaryRequest(
  flags: { canary?: string; bake?: string; maxErrorRate?: string },
  alias: string | undefined,
): CanaryRequest | undefined {
  if (flags.canary === undefined) return undefined;
  if (!alias)
    throw new UserError('--canary needs an alias whose traffic it splits', {
      exitCode: ExitCode.usage,
      hint: 'pass --alias <name> (e.g. --alias live) or set "alias" in the config',
    });
  return {
    weight: parseWeight(flags.canary)!,
    bakeMs: parseDurationMs(flags.bake ?? DEFAULT_BAKE)!,
    maxErrorRate: parseErrorRate(flags.maxErrorRate ?? '0')!,
  };
}

const percent = (share: number) => `${Math.round(share * 1000) / 10}%`;
/** 5m, 4m30s, 12s: whole seconds, rounded up so that "0s left" means done. */
function seconds(ms: number): string {
  const total = Math.ceil(ms / 1000);
  const [m, s] = [Math.floor(total / 60), total % 60];
  return m === 0 ? `${s}s` : s === 0 ? `${m}m` : `${m}m${s}s`;
}

export const canaryStep: AfterUpdateStep = async (ctx, plan, outcome) => {
  const canary = plan.request.canary;
  const aliasName = plan.config.alias;
  const version = outcome.version?.version;
  if (!canary || !aliasName || !version) return;
  const { lambda } = plan.target.clients;
  const name = plan.config.functionName;
  const stable = await aliasVersion(lambda, name, aliasName);
  if (stable === undefined || stable === version) {
    ctx.out.warn(
      stable === undefined
        ? `alias ${aliasName} does not exist yet: no traffic to split, so it is created at version ${version}`
        : `alias ${aliasName} already points at version ${version}: nothing to canary`,
    );
    outcome.alias = await ctx.out.step(`Pointing alias ${aliasName} at version ${version}`, () =>
      pointAlias(lambda, name, aliasName, version),
    );
    outcome.canary = { weight: canary.weight, bakeMs: 0, result: 'skipped', errors: 0, invocations: 0, polls: 0 };
    return;
  }
  const target = { name, alias: aliasName };
  const { arn } = await ctx.out.step(
    `Routing ${percent(canary.weight)} of alias ${aliasName} to version ${version} (version ${stable} keeps the rest)`,
    () => routeAlias(lambda, { ...target, version: stable, weights: { [version]: canary.weight } }),
  );
  const state: DeployedState = {
    name,
    functionArn: outcome.fn.arn,
    before: outcome.status === 'updated' ? plan.existing : undefined,
    image: outcome.pushed.imageUri,
    alias: { name: aliasName, version, previousVersion: stable, created: false },
  };
  const verdict = await watch(ctx, plan, canary, state).catch(async (error: unknown) => {
    throw ctx.signal.aborted ? await interrupted(ctx.out, plan, state) : await unwatched(plan, state, error);
  });
  if (!verdict.passed) await rollBack(ctx, plan, canary, state, verdict);
  await ctx.out.step(`Promoting version ${version} to 100% of alias ${aliasName}`, () =>
    routeAlias(lambda, { ...target, version, weights: {} }),
  );
  if (verdict.invocations === 0)
    ctx.out.warn(
      `the canary saw no invocations of version ${version} in ${seconds(canary.bakeMs)}: nothing was measured`,
    );
  outcome.alias = { arn, created: false, previousVersion: stable };
  outcome.canary = { weight: canary.weight, bakeMs: canary.bakeMs, result: 'promoted', ...pick(verdict) };
};

const pick = ({ errors, invocations, polls }: BakeVerdict) => ({ errors, invocations, polls });

/** The bake, with its progress as time left and counts; the CloudWatch client is loaded only here. */
async function watch(
  ctx: Parameters<AfterUpdateStep>[0],
  plan: DeployPlan,
  canary: CanaryRequest,
  state: DeployedState,
): Promise<BakeVerdict> {
  const { createMetricsClient, readVersionCounts } = await import('../aws/metrics.js');
  const client = createMetricsClient({ ...plan.target.settings, region: plan.target.region });
  const of = { functionName: state.name, alias: state.alias!.name, version: state.alias!.version };
  const since = Date.now();
  const title = `Baking version ${of.version} for ${seconds(canary.bakeMs)} (rolls back above ${percent(canary.maxErrorRate)} errors)`;
  try {
    return await ctx.out.step(title, (update) =>
      bake(() => readVersionCounts(client, of, since, ctx.signal), {
        bakeMs: canary.bakeMs,
        maxErrorRate: canary.maxErrorRate,
        signal: ctx.signal,
        onProgress: ({ leftMs, errors, invocations }) =>
          update(`${seconds(leftMs)} left · ${errors} errors / ${invocations} invocations`, true),
      }),
    );
  } finally {
    client.destroy();
  }
}

/** Errors over the threshold: the alias back to its version (weight removed), $LATEST back; exit 14, or 15 when that fails. */
async function rollBack(
  ctx: Parameters<AfterUpdateStep>[0],
  plan: DeployPlan,
  canary: CanaryRequest,
  state: DeployedState,
  verdict: BakeVerdict,
): Promise<never> {
  const seen = `${verdict.errors} errors in ${verdict.invocations} invocations (${percent(verdict.errorRate)}, limit ${percent(canary.maxErrorRate)})`;
  ctx.out.warn(`the canary of version ${state.alias!.version} failed: ${seen}`);
  const wait = { waitTimeoutSeconds: plan.request.waitTimeoutSeconds, signal: ctx.signal };
  const restored = await ctx.out.step(`Rolling ${state.name} back`, (update) =>
    undoDeploy(plan.target.clients.lambda, state, { ...wait, onStatus: update }, 'the canary'),
  );
  throw new UserError(`the canary of ${state.name} failed (${seen}); rolled back: ${restored.join(', ')}`, {
    exitCode: ExitCode.smokeFailed,
    hint: `\`tslambda logs --qualifier ${state.alias!.version}\` shows what the new version logged`,
    details: {
      function: state.name,
      canary: { weight: canary.weight, ...pick(verdict), errorRate: verdict.errorRate },
      restored,
    },
  });
}

/** Removes the canary's weight with a signal of its own; the failure's message when that fails too. */
function clearWeight(plan: DeployPlan, state: DeployedState): Promise<string | undefined> {
  const alias = state.alias!;
  return routeAlias(
    plan.target.clients.lambda,
    { name: state.name, alias: alias.name, version: alias.previousVersion!, weights: {} },
    AbortSignal.timeout(8000),
  ).then(
    () => undefined,
    (error: unknown) => (isUserError(error) ? error.message : String(error)),
  );
}

/** The metrics could not be read (permissions, throttling): no verdict, so the weight goes and the error stays. */
async function unwatched(plan: DeployPlan, state: DeployedState, error: unknown): Promise<unknown> {
  if (!isUserError(error)) return error;
  const alias = state.alias!;
  const cleared = await clearWeight(plan, state);
  const now =
    cleared === undefined
      ? `alias ${alias.name} is back on version ${alias.previousVersion} alone; $LATEST runs the new image`
      : `alias ${alias.name} still sends part of its traffic to version ${alias.version} (${cleared})`;
  return new UserError(`the canary could not watch version ${alias.version}: ${error.message}; ${now}`, {
    exitCode: error.exitCode,
    hint: error.hint,
    cause: error,
    details: { ...error.details, function: state.name, alias: alias.name },
  });
}

/** Ctrl-C during the bake: the weight is removed (with a signal of its own), and the one line says where things stand. */
async function interrupted(out: Output, plan: DeployPlan, state: DeployedState): Promise<UserError> {
  const alias = state.alias!;
  const cleared = await clearWeight(plan, state);
  const latest = restoreCommands({ ...state, alias: undefined });
  if (cleared !== undefined) {
    out.warn(`could not remove the canary weight: ${cleared}`);
    return namesState(
      new UserError(
        `interrupted during the canary: alias ${alias.name} still sends part of its traffic to version ${alias.version}`,
        {
          exitCode: ExitCode.interrupted,
          hint: `remove the weight with:\n  ${clearRoutingCommand(state.name, alias.name, alias.previousVersion!)}`,
          details: { stage: 'canary' },
        },
      ),
    );
  }
  return namesState(
    new UserError(
      `interrupted during the canary: alias ${alias.name} is back on version ${alias.previousVersion} alone (the weight to version ${alias.version} removed); $LATEST runs the new image`,
      {
        exitCode: ExitCode.interrupted,
        hint: latest.length ? `to put $LATEST back too: ${latest.join(' && ')}` : undefined,
        details: { stage: 'canary', function: state.name, alias: alias.name, aliasVersion: alias.previousVersion },
      },
    ),
  );
}
