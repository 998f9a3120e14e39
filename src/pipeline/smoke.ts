// After a deploy: invoke the new code once with a test event; on failure, put back what ran before (alias, then $LATEST).
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { DeleteAliasCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import { ExitCode, UserError, isUserError } from '../core/errors.js';
import { awsCall, awsErrorCode, toAwsUserError } from '../aws/errors.js';
import { invokeWithTail } from '../aws/invoke.js';
import type { FunctionView, WaitOptions } from '../aws/lambda.js';
import { imageOf } from './record.js';
import { executeRollback, type RollbackPlan } from './rollback.js';

/** The event: inline JSON, or a JSON file relative to the project. */
export async function readSmokeEvent(value: string, cwd: string): Promise<string> {
  const inline = /^\s*[[{"]/.test(value) || /^\s*(-?\d|true|false|null)/.test(value);
  let text = value;
  if (!inline) {
    const path = resolve(cwd, value);
    text = await readFile(path, 'utf8').catch(() => {
      throw new UserError(`--smoke ${value}: no such file, and not inline JSON`, {
        exitCode: ExitCode.usage,
        hint: `pass a JSON file or inline JSON, e.g. --smoke '{"ping":true}'`,
      });
    });
  }
  try {
    JSON.parse(text);
  } catch (error) {
    throw new UserError(`--smoke ${inline ? 'event' : value} is not valid JSON: ${(error as Error).message}`, {
      exitCode: ExitCode.usage,
      hint: 'Lambda events are JSON documents',
    });
  }
  return text;
}

export interface SmokeFailure {
  errorType: string;
  errorMessage: string;
  logTail: string;
}

/** Invokes once; undefined when the function answered without an error. Permissions and throttling are AWS errors, not failures of the code. */
export async function smokeInvoke(
  lambda: LambdaClient,
  name: string,
  qualifier: string | undefined,
  event: string,
  signal?: AbortSignal,
): Promise<SmokeFailure | undefined> {
  try {
    const answer = await invokeWithTail(lambda, name, qualifier, event, signal);
    if (!answer.functionError) return undefined;
    const body = parseError(answer.payload);
    return {
      errorType: body.errorType ?? answer.functionError,
      errorMessage: body.errorMessage ?? answer.payload,
      logTail: answer.logTail,
    };
  } catch (error) {
    // Ctrl-C cut the invoke short: the code was not tried, which the caller says; it did not fail.
    if (signal?.aborted) throw error;
    const code = awsErrorCode(error);
    if (!code || /AccessDenied|Throttl|TooManyRequests|UnrecognizedClient|InvalidSignature|ExpiredToken/.test(code))
      throw toAwsUserError(error, `Invoke ${name}`);
    // Lambda refused to run the code (ResourceNotReady, InvalidRuntime, image errors): the code did not work.
    return { errorType: code, errorMessage: (error as Error).message, logTail: '' };
  }
}

function parseError(payload: string): { errorType?: string; errorMessage?: string } {
  try {
    const parsed = JSON.parse(payload) as { errorType?: unknown; errorMessage?: unknown };
    return {
      errorType: typeof parsed.errorType === 'string' ? parsed.errorType : undefined,
      errorMessage: typeof parsed.errorMessage === 'string' ? parsed.errorMessage : undefined,
    };
  } catch {
    return {};
  }
}

export interface DeployedState {
  name: string;
  functionArn: string;
  /** The function before the deploy when $LATEST changed; undefined when unchanged or created. */
  before?: FunctionView;
  /** $LATEST's image now. */
  image: string;
  alias?: { name: string; version: string; previousVersion?: string; created: boolean };
}

/** The commands that put back what ran before this deploy, for a user who stopped it half-way. */
export function restoreCommands(state: DeployedState): string[] {
  const commands: string[] = [];
  const { alias } = state;
  if (alias?.previousVersion && alias.previousVersion !== alias.version)
    commands.push(`tslambda rollback --alias ${alias.name} --to ${alias.previousVersion}`);
  else if (alias?.created) commands.push(`aws lambda delete-alias --function-name ${state.name} --name ${alias.name}`);
  const previous = state.before && imageOf(state.before);
  if (previous && previous !== state.image)
    commands.push(`tslambda rollback --to ${previous.slice(previous.lastIndexOf('@') + 1)}`);
  return commands;
}

/** What was put back, one line each, e.g. "alias live → version 4". */
export type Restored = string[];

/**
 * Undoes the deploy: the alias back to its version (or deleted when this deploy created it), then $LATEST back
 * to its image. A step that fails stops here with the state and the one command that finishes the job.
 */
export async function undoDeploy(
  lambda: LambdaClient,
  state: DeployedState,
  wait: WaitOptions,
  failed = 'the smoke test',
): Promise<Restored> {
  const restored: Restored = [];
  const step = (work: () => Promise<unknown>, stateLine: string, command: string) =>
    undoStep(work, state, failed, stateLine, command);
  const { alias } = state;
  if (alias?.previousVersion && alias.previousVersion !== alias.version) {
    const plan: RollbackPlan = {
      kind: 'alias',
      function: state.name,
      functionArn: state.functionArn,
      alias: alias.name,
      from: alias.version,
      to: alias.previousVersion,
      source: 'record',
    };
    await step(
      () => executeRollback(lambda, plan, wait, false),
      failed === 'the canary'
        ? `alias ${alias.name} still sends part of its traffic to the failing version ${alias.version}`
        : `alias ${alias.name} still points at the failing version ${alias.version}`,
      `tslambda rollback --alias ${alias.name} --to ${alias.previousVersion}`,
    );
    restored.push(`alias ${alias.name} → version ${alias.previousVersion}`);
  } else if (alias?.created) {
    await step(
      () =>
        awsCall(`DeleteAlias ${state.name}:${alias.name}`, () =>
          lambda.send(new DeleteAliasCommand({ FunctionName: state.name, Name: alias.name })),
        ),
      `alias ${alias.name} (created by this deploy) points at the failing version ${alias.version}`,
      `aws lambda delete-alias --function-name ${state.name} --name ${alias.name}`,
    );
    restored.push(`alias ${alias.name} deleted (this deploy created it)`);
  }
  const previous = state.before && imageOf(state.before);
  if (state.before && previous && previous !== state.image) {
    const plan: RollbackPlan = {
      kind: 'image',
      function: state.name,
      functionArn: state.functionArn,
      from: state.image,
      to: previous,
      source: 'record',
      view: { ...state.before, lastUpdateStatus: 'Successful' },
    };
    const done = restored.length ? `${restored.join(', ')}; ` : '';
    await step(
      () => executeRollback(lambda, plan, wait, false),
      `${done}$LATEST still runs the failing image ${state.image}`,
      `tslambda rollback --to ${previous.slice(previous.lastIndexOf('@') + 1)}`,
    );
    restored.push(`$LATEST → ${previous}`);
  }
  return restored;
}

async function undoStep(
  work: () => Promise<unknown>,
  state: DeployedState,
  failed: string,
  stateLine: string,
  command: string,
): Promise<void> {
  try {
    await work();
  } catch (error) {
    const cause = isUserError(error) ? error.message : (error as Error).message;
    throw new UserError(`${failed} failed and so did the rollback of ${state.name}: ${cause}`, {
      exitCode: ExitCode.rollbackFailed,
      hint: `now: ${stateLine}. Restore with:\n  ${command}`,
      cause: error,
      details: { function: state.name, state: stateLine, restoreCommand: command },
    });
  }
}
