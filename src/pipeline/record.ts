// After a deploy: note in AWS what it replaced ($LATEST's previous image, an alias's previous version) for `rollback`.
import type { LambdaClient } from '@aws-sdk/client-lambda';
import type { FunctionView } from '../aws/lambda.js';
import { writeReleaseRecord } from '../aws/release-record.js';

export interface DeployOutcome {
  /** The function before the deploy; undefined when the deploy created it. */
  before?: FunctionView;
  /** Whether $LATEST's code changed. */
  changed: boolean;
  functionArn: string;
  alias?: { name: string; previousVersion?: string; version: string };
}

const BY_DIGEST = /@sha256:[0-9a-f]{64}$/;

/** The image a function ran, by digest: the reference set when it is one (tslambda sets digests), else Lambda's resolution. */
export const imageOf = (fn: FunctionView): string | undefined =>
  fn.imageUri && BY_DIGEST.test(fn.imageUri) ? fn.imageUri : (fn.resolvedImageUri ?? fn.imageUri);

export async function recordReplaced(lambda: LambdaClient, outcome: DeployOutcome): Promise<void> {
  const previousImage = outcome.before && outcome.changed ? imageOf(outcome.before) : undefined;
  const { alias } = outcome;
  const movedAlias =
    alias?.previousVersion && alias.previousVersion !== alias.version
      ? { name: alias.name, previousVersion: alias.previousVersion }
      : undefined;
  await writeReleaseRecord(lambda, outcome.functionArn, { previousImage, alias: movedAlias });
}
