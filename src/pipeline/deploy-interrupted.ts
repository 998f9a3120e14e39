// Ctrl-C during a deploy: one line that names the stage it stopped in and the state it left the function in,
// with the command that goes back where there is something to go back to. Exit code 130 in every stage.
import type { LambdaClient } from '@aws-sdk/client-lambda';
import { ExitCode, UserError, isUserError } from '../core/errors.js';
import { getFunction, runsImage } from '../aws/lambda.js';
import type { DeployOutcome } from './deploy-execute.js';
import type { DeployPlan } from './deploy-plan.js';
import type { PushedImage } from './push.js';
import { restoreCommands } from './smoke.js';

export type DeployStage = 'build' | 'push' | 'update' | 'after-update';

/** Where a deploy is, updated by executeDeploy as it goes. */
export interface DeployProgress {
  stage: DeployStage;
  pushed?: PushedImage;
  outcome?: DeployOutcome;
}

const named = new WeakSet<UserError>();

/** Marks an interruption that already names the state (the smoke test's, the canary's): it passes through unchanged. */
export function namesState(error: UserError): UserError {
  named.add(error);
  return error;
}

const interrupted = (message: string, hint?: string, details: Record<string, unknown> = {}) =>
  namesState(new UserError(message, { exitCode: ExitCode.interrupted, hint, details }));

export async function interruptedDeploy(
  error: unknown,
  plan: DeployPlan,
  progress: DeployProgress,
): Promise<UserError> {
  if (isUserError(error) && named.has(error)) return error;
  const name = plan.config.functionName;
  const stage = progress.stage;
  if (stage === 'build')
    return interrupted(`interrupted during the build: nothing was pushed, and ${name} is unchanged`, undefined, {
      stage,
    });
  if (stage === 'push')
    return interrupted(
      `interrupted during the push: ${name} is unchanged (the repository may keep the layers already sent)`,
      undefined,
      { stage },
    );
  if (stage === 'update') return updateInterrupted(plan, progress.pushed!);
  const outcome = progress.outcome!;
  const parts = [`$LATEST runs ${outcome.pushed.digest}`];
  if (outcome.version) parts.push(`version ${outcome.version.version} is published`);
  const alias = plan.config.alias;
  if (alias)
    parts.push(
      outcome.alias ? `alias ${alias} points at version ${outcome.version?.version}` : `alias ${alias} is unchanged`,
    );
  const restore = restoreCommands({
    name,
    functionArn: outcome.fn.arn,
    before: outcome.status === 'updated' ? plan.existing : undefined,
    image: outcome.pushed.imageUri,
    alias:
      alias && outcome.alias && outcome.version
        ? { name: alias, version: outcome.version.version, ...outcome.alias }
        : undefined,
  });
  return interrupted(
    `interrupted after the update of ${name}: ${parts.join('; ')}`,
    restore.length ? `to go back to what ran before: ${restore.join(' && ')}` : undefined,
    { stage },
  );
}

/** Ctrl-C while Lambda updates (or creates) the function: ask Lambda where it stands, with a signal of its own. */
async function updateInterrupted(plan: DeployPlan, pushed: PushedImage): Promise<UserError> {
  const name = plan.config.functionName;
  const now = await readState(plan.target.clients.lambda, name, pushed);
  const previous = plan.existing?.imageUri ?? plan.existing?.resolvedImageUri;
  const back = previous?.includes('@')
    ? `tslambda rollback --to ${previous.slice(previous.lastIndexOf('@') + 1)}`
    : undefined;
  const state = !now
    ? `${name} could not be read`
    : now.runsNew
      ? `${name} runs ${pushed.digest}`
      : now.inProgress
        ? `Lambda is still ${plan.existing ? 'updating' : 'creating'} ${name} (LastUpdateStatus ${now.status}); it goes on without tslambda`
        : `${name} still runs its previous image`;
  return interrupted(
    `interrupted while Lambda ${plan.existing ? 'updates' : 'creates'} ${name}: ${state}`,
    back && now?.inProgress !== false ? `to go back once it settles: ${back}` : undefined,
    { stage: 'update' },
  );
}

async function readState(
  lambda: LambdaClient,
  name: string,
  pushed: PushedImage,
): Promise<{ inProgress: boolean; runsNew: boolean; status: string } | undefined> {
  try {
    const fn = await getFunction(lambda, name, AbortSignal.timeout(5000));
    if (!fn) return undefined;
    const status = fn.state === 'Pending' ? 'Pending' : (fn.lastUpdateStatus ?? 'unknown');
    const inProgress = status === 'InProgress' || status === 'Pending';
    return { inProgress, runsNew: !inProgress && runsImage(fn, pushed), status };
  } catch {
    return undefined;
  }
}
