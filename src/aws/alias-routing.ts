// An alias's weighted routing: which version it points at, and moving its traffic between two versions.
import { GetAliasCommand, UpdateAliasCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import { awsCall, awsErrorCode } from './errors.js';

/** The version the alias points at (its main one), or undefined when the alias does not exist. */
export async function aliasVersion(lambda: LambdaClient, name: string, alias: string): Promise<string | undefined> {
  try {
    return (await lambda.send(new GetAliasCommand({ FunctionName: name, Name: alias }))).FunctionVersion;
  } catch (error) {
    if (awsErrorCode(error) === 'ResourceNotFoundException') return undefined;
    return awsCall(`GetAlias ${name}:${alias}`, () => Promise.reject(error));
  }
}

/**
 * Points the alias at `version` with `weights` (another version → its share, 0 to 1) on top; `{}` clears them.
 * `signal` replaces the command's own, so that Ctrl-C can still put the alias back after it aborted everything else.
 */
export async function routeAlias(
  lambda: LambdaClient,
  target: { name: string; alias: string; version: string; weights: Record<string, number> },
  signal?: AbortSignal,
): Promise<{ arn: string }> {
  const updated = await awsCall(`UpdateAlias ${target.name}:${target.alias}`, () =>
    lambda.send(
      new UpdateAliasCommand({
        FunctionName: target.name,
        Name: target.alias,
        FunctionVersion: target.version,
        RoutingConfig: { AdditionalVersionWeights: target.weights },
      }),
      signal ? { abortSignal: signal } : undefined,
    ),
  );
  return { arn: updated.AliasArn! };
}

/** The AWS CLI command that does what `routeAlias` does with no weights, for messages when tslambda could not. */
export const clearRoutingCommand = (name: string, alias: string, version: string): string =>
  `aws lambda update-alias --function-name ${name} --name ${alias} --function-version ${version} --routing-config AdditionalVersionWeights={}`;
