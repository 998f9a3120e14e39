// Lambda layers for the build: where a layer version's content can be downloaded (GetLayerVersion), and the
// download itself (a presigned URL, fetched without AWS credentials).
import { GetLayerVersionCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import { ExitCode, UserError } from '../core/errors.js';
import { toAwsUserError } from './errors.js';

export interface LayerVersionArn {
  /** The layer's ARN without its version (GetLayerVersion's LayerName). */
  layerArn: string;
  region: string;
  version: number;
}

/** `arn:aws:lambda:REGION:ACCOUNT:layer:NAME:VERSION`, already checked by the config. */
export function parseLayerArn(arn: string): LayerVersionArn {
  const parts = arn.split(':');
  return { layerArn: parts.slice(0, 7).join(':'), region: parts[3]!, version: Number(parts[7]) };
}

/** Content.Location of a layer version: a presigned URL valid for 10 minutes. */
export async function layerContentLocation(lambda: LambdaClient, arn: string): Promise<string> {
  const { layerArn, version } = parseLayerArn(arn);
  const output = await lambda
    .send(new GetLayerVersionCommand({ LayerName: layerArn, VersionNumber: version }))
    .catch((error: unknown) => {
      throw toAwsUserError(error, `GetLayerVersion ${arn}`);
    });
  const location = output.Content?.Location;
  if (!location)
    throw new UserError(`layer ${arn} has no downloadable content`, {
      exitCode: ExitCode.awsError,
      hint: 'check the ARN in "layers", and that your credentials may call lambda:GetLayerVersion on it',
    });
  return location;
}

/** Downloads a layer's zip from its presigned location. */
export async function downloadLayer(location: string, arn: string, signal?: AbortSignal): Promise<Buffer> {
  const response = await fetch(location, { signal }).catch((error: Error) => {
    throw new UserError(`cannot download layer ${arn}: ${error.message}`, { exitCode: ExitCode.awsError });
  });
  if (!response.ok)
    throw new UserError(`cannot download layer ${arn}: HTTP ${response.status}`, {
      exitCode: ExitCode.awsError,
      hint: 'the presigned URL may have expired; build again',
    });
  return Buffer.from(await response.arrayBuffer());
}
