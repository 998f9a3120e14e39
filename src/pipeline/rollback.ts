// Going back: plan which version or image to return to (from --to or the deploy record), then move the alias or $LATEST.
import { GetAliasCommand, GetFunctionCommand, UpdateAliasCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import { ExitCode, UserError } from '../core/errors.js';
import { awsCall, awsErrorCode } from '../aws/errors.js';
import { getFunction, updateFunctionImage, type FunctionView, type WaitOptions } from '../aws/lambda.js';
import { readReleaseRecord, writeReleaseRecord } from '../aws/release-record.js';
import { imageOf } from './record.js';

export type RollbackPlan =
  | {
      kind: 'alias';
      function: string;
      functionArn: string;
      alias: string;
      from: string;
      to: string;
      source: 'record' | 'flag';
    }
  | {
      kind: 'image';
      function: string;
      functionArn: string;
      from: string;
      to: string;
      source: 'record' | 'flag';
      view: FunctionView;
    };

const DIGEST = /^sha256:[0-9a-f]{64}$/;

/** Reads the function, its alias and the deploy record; throws a UserError naming the fix when there is nothing to go back to. */
export async function planRollback(
  lambda: LambdaClient,
  name: string,
  request: { to?: string; alias?: string },
): Promise<RollbackPlan> {
  const fn = await getFunction(lambda, name);
  if (!fn)
    throw new UserError(`function ${name} does not exist`, {
      exitCode: ExitCode.functionNotFound,
      hint: 'check "functionName" in the config and --region',
    });
  const record = await readReleaseRecord(lambda, fn.arn);
  // A digest names an image, so it is always $LATEST's, even where the config names an alias.
  if (request.alias && !(request.to && DIGEST.test(request.to))) {
    const alias = request.alias;
    const current = await currentAliasVersion(lambda, name, alias);
    const to = request.to ?? record.previousVersions[alias];
    if (!to) throw nothingRecorded(`alias ${alias} of ${name}`, '--to <version>');
    if (!/^\d+$/.test(to))
      throw new UserError(`--to ${to} is not a version number; an alias points at a published version`, {
        exitCode: ExitCode.usage,
        hint: 'pass --to <version>, e.g. --to 3',
      });
    return {
      kind: 'alias',
      function: name,
      functionArn: fn.arn,
      alias,
      from: current,
      to,
      source: request.to ? 'flag' : 'record',
    };
  }
  const from = imageOf(fn);
  if (!from) throw new UserError(`function ${name} reports no image`, { exitCode: ExitCode.functionIncompatible });
  const to = request.to ? await imageFor(lambda, name, from, request.to) : record.previousImage;
  if (!to) throw nothingRecorded(`${name}`, '--to <version|sha256:digest>');
  return {
    kind: 'image',
    function: name,
    functionArn: fn.arn,
    from,
    to,
    source: request.to ? 'flag' : 'record',
    view: fn,
  };
}

function nothingRecorded(what: string, flag: string): UserError {
  return new UserError(
    `no earlier release of ${what} is recorded: tslambda records one at each deploy that changes it`,
    {
      exitCode: ExitCode.usage,
      hint: `name the target with ${flag}`,
    },
  );
}

async function currentAliasVersion(lambda: LambdaClient, name: string, alias: string): Promise<string> {
  try {
    return (await lambda.send(new GetAliasCommand({ FunctionName: name, Name: alias }))).FunctionVersion!;
  } catch (error) {
    if (awsErrorCode(error) !== 'ResourceNotFoundException')
      return awsCall(`GetAlias ${name}:${alias}`, () => Promise.reject(error));
    throw new UserError(`alias ${alias} of ${name} does not exist`, {
      exitCode: ExitCode.functionNotFound,
      hint: 'omit --alias to roll $LATEST back, or deploy with --alias first',
    });
  }
}

/** --to as an image: a digest in the function's repository, or the image a published version runs. */
async function imageFor(lambda: LambdaClient, name: string, current: string, to: string): Promise<string> {
  if (DIGEST.test(to)) return `${current.replace(/[@:][^/]*$/, '')}@${to}`;
  if (!/^\d+$/.test(to))
    throw new UserError(`--to ${to} is neither a version number nor a sha256:<64 hex> digest`, {
      exitCode: ExitCode.usage,
      hint: 'pass --to 3 or --to sha256:…',
    });
  try {
    const version = await lambda.send(new GetFunctionCommand({ FunctionName: name, Qualifier: to }));
    return version.Code?.ImageUri ?? version.Code?.ResolvedImageUri ?? '';
  } catch (error) {
    if (awsErrorCode(error) !== 'ResourceNotFoundException')
      return awsCall(`GetFunction ${name}:${to}`, () => Promise.reject(error));
    throw new UserError(`version ${to} of ${name} does not exist`, {
      exitCode: ExitCode.usage,
      hint: '`aws lambda list-versions-by-function` lists them',
    });
  }
}

/**
 * Moves the alias or $LATEST back, then records what it replaced, so a second rollback goes forward again.
 * `record: false` when undoing a deploy that never recorded itself (a failed smoke test): the record stays as it was.
 */
export async function executeRollback(
  lambda: LambdaClient,
  plan: RollbackPlan,
  wait: WaitOptions,
  record = true,
): Promise<void> {
  if (plan.kind === 'alias') {
    await awsCall(`UpdateAlias ${plan.function}:${plan.alias}`, () =>
      lambda.send(
        new UpdateAliasCommand({
          FunctionName: plan.function,
          Name: plan.alias,
          FunctionVersion: plan.to,
          RoutingConfig: { AdditionalVersionWeights: {} },
        }),
      ),
    );
    if (record)
      await writeReleaseRecord(lambda, plan.functionArn, { alias: { name: plan.alias, previousVersion: plan.from } });
    return;
  }
  await updateFunctionImage(lambda, plan.view, plan.to, wait);
  if (record) await writeReleaseRecord(lambda, plan.functionArn, { previousImage: plan.from });
}

/** The one command that puts things back as `plan` found them, for messages when a step fails half-way. */
export function restoreCommand(plan: RollbackPlan): string {
  return plan.kind === 'alias'
    ? `aws lambda update-alias --function-name ${plan.function} --name ${plan.alias} --function-version ${plan.from}`
    : `aws lambda update-function-code --function-name ${plan.function} --image-uri ${plan.from}`;
}
