// `deploy --smoke`: narrates the smoke invocation and, when it fails, the rollback and the failure with its log tail.
import type { LambdaClient } from '@aws-sdk/client-lambda';
import { ExitCode, UserError } from '../cli/errors.js';
import type { WaitOptions } from '../aws/lambda.js';
import type { DeployedState } from '../pipeline/smoke.js';
import type { CommandContext } from './types.js';

export const SMOKE_FLAG = {
  type: 'string',
  requiresArg: true,
  describe: 'After the update, invoke once with this event (a JSON file or inline JSON); a failure rolls back, exit 14',
} as const;

export const TAIL_FLAG = { type: 'boolean', default: false, describe: "After the update, follow the function's logs until Ctrl-C" } as const;

/** Runs the smoke test of a finished deploy; returns when it passed, throws (exit 14 or 15) when it failed. */
export async function smokeStep(ctx: CommandContext, lambda: LambdaClient, eventArg: string, state: DeployedState & { version?: string }, wait: WaitOptions): Promise<void> {
  const smoke = await import('../pipeline/smoke.js');
  const event = await smoke.readSmokeEvent(eventArg, ctx.cwd);
  // Through the published version when there is one: that is what the alias serves.
  const qualifier = state.version;
  const target = qualifier ? `version ${qualifier}` : '$LATEST';
  const failure = await ctx.out
    .step(`Smoke test: invoking ${state.name} (${target})`, () => smoke.smokeInvoke(lambda, state.name, qualifier, event, ctx.signal))
    .catch((error: unknown) => {
      if (!ctx.signal.aborted) throw error;
      throw new UserError(`interrupted during the smoke test: ${state.name} runs the new code, which was not tried`, {
        exitCode: ExitCode.interrupted,
        hint: `to go back to what ran before: ${smoke.restoreCommands(state).join(' && ') || 'nothing to go back to (the function was created by this deploy)'}`,
      });
    });
  if (!failure) return;
  ctx.out.warn(`the smoke test failed: ${failure.errorType}: ${failure.errorMessage}`);
  if (failure.logTail && !ctx.out.json) ctx.out.stderr.write(`${failure.logTail.trimEnd().split('\n').map((line) => `  | ${line}`).join('\n')}\n`);
  const restored = await ctx.out.step(`Rolling ${state.name} back`, (update) => smoke.undoDeploy(lambda, state, { ...wait, onStatus: update }));
  throw new UserError(`the smoke test of ${state.name} failed (${failure.errorType}: ${failure.errorMessage}); rolled back: ${restored.length ? restored.join(', ') : 'nothing to restore (the function was created by this deploy)'}`, {
    exitCode: ExitCode.smokeFailed,
    hint: 'fix the error above (the log tail shows the request), then deploy again; `tslambda invoke-local --event <file>` reproduces it locally',
    details: { function: state.name, errorType: failure.errorType, errorMessage: failure.errorMessage, logTail: failure.logTail, restored },
  });
}
