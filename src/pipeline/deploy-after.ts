// The after-update steps that issue 16 adds to a deploy: the smoke test (which rolls back on failure), then the
// record of what this deploy replaced, kept as tags on the function for `tslambda rollback`.
import { ExitCode, UserError } from '../core/errors.js';
import type { AfterUpdateStep, DeployOutcome } from './deploy-execute.js';
import { namesState } from './deploy-interrupted.js';
import type { DeployPlan } from './deploy-plan.js';
import { recordReplaced } from './record.js';
import { restoreCommands, smokeInvoke, undoDeploy, type DeployedState } from './smoke.js';

/** What this deploy changed, as the smoke test's rollback and the record need it. */
function deployedState(plan: DeployPlan, outcome: DeployOutcome): DeployedState & { version?: string } {
  const { alias, version } = outcome;
  const aliasName = plan.config.alias;
  return {
    name: plan.config.functionName,
    functionArn: outcome.fn.arn,
    before: outcome.status === 'updated' ? plan.existing : undefined,
    image: outcome.pushed.imageUri,
    alias:
      alias && version && aliasName
        ? { name: aliasName, previousVersion: alias.previousVersion, version: version.version, created: alias.created }
        : undefined,
    version: version?.version,
  };
}

/** `--smoke`: invokes the new code once; on a failure, puts back what ran before and exits 14 (15 when that fails too). */
export const smokeStep: AfterUpdateStep = async (ctx, plan, outcome) => {
  const event = plan.request.smokeEvent;
  if (event === undefined) return;
  const { out, signal } = ctx;
  const { lambda } = plan.target.clients;
  const state = deployedState(plan, outcome);
  // Through the published version when there is one: that is what the alias serves.
  const qualifier = state.version;
  const failure = await out
    .step(`Smoke test: invoking ${state.name} (${qualifier ? `version ${qualifier}` : '$LATEST'})`, () =>
      smokeInvoke(lambda, state.name, qualifier, event, signal),
    )
    .catch((error: unknown) => {
      if (!signal.aborted) throw error;
      throw namesState(
        new UserError(`interrupted during the smoke test: ${state.name} runs the new code, which was not tried`, {
          exitCode: ExitCode.interrupted,
          hint: `to go back to what ran before: ${restoreCommands(state).join(' && ') || 'nothing to go back to (the function was created by this deploy)'}`,
          details: { stage: 'smoke' },
        }),
      );
    });
  if (!failure) return;
  out.warn(`the smoke test failed: ${failure.errorType}: ${failure.errorMessage}`);
  if (failure.logTail && !out.json)
    out.stderr.write(
      `${failure.logTail
        .trimEnd()
        .split('\n')
        .map((line) => `  | ${line}`)
        .join('\n')}\n`,
    );
  const wait = { waitTimeoutSeconds: plan.request.waitTimeoutSeconds, signal };
  const restored = await out.step(`Rolling ${state.name} back`, (update) =>
    undoDeploy(lambda, state, { ...wait, onStatus: update }),
  );
  throw new UserError(
    `the smoke test of ${state.name} failed (${failure.errorType}: ${failure.errorMessage}); rolled back: ${restored.length ? restored.join(', ') : 'nothing to restore (the function was created by this deploy)'}`,
    {
      exitCode: ExitCode.smokeFailed,
      hint: 'fix the error above (the log tail shows the request), then deploy again; `tslambda invoke-local --event <file>` reproduces it locally',
      details: {
        function: state.name,
        errorType: failure.errorType,
        errorMessage: failure.errorMessage,
        logTail: failure.logTail,
        restored,
      },
    },
  );
};

/** Notes the replaced image and alias version in tags, after the smoke test passed (a failed one restored them). */
export const recordStep: AfterUpdateStep = async (_ctx, plan, outcome) => {
  const state = deployedState(plan, outcome);
  await recordReplaced(plan.target.clients.lambda, {
    before: plan.existing,
    changed: outcome.status !== 'up to date',
    functionArn: state.functionArn,
    alias: state.alias,
  });
};
