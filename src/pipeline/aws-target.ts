// The AWS account and region a release goes to: SDK clients for the configured region and profile.
import type { AwsClients } from '../aws/clients.js';
import { toAwsUserError } from '../aws/errors.js';
import { regionFor } from '../aws/region.js';
import type { ResolvedConfig } from '../config/types.js';

export interface AwsTarget {
  clients: AwsClients;
  region: string;
  /** What a step needs to make a client of its own (CloudWatch for a canary, CodeBuild and S3 for remote builds). */
  settings: { env: NodeJS.ProcessEnv; profile?: string };
}

/** Clients for the configured target, reading AWS settings from the command's environment (never process.env). */
export async function connectAws(
  config: ResolvedConfig,
  ctx: { env: NodeJS.ProcessEnv; signal: AbortSignal },
): Promise<AwsTarget> {
  // The SDK loads here, not when a command starts (it takes longer than the rest of start-up): a command shows its
  // first step, then connects inside it (see push).
  const { createAwsClients, resolvedRegion } = await import('../aws/clients.js');
  const clients = createAwsClients({
    env: ctx.env,
    region: config.region,
    profile: config.profile,
    signal: ctx.signal,
  });
  try {
    return {
      clients,
      region: await resolvedRegion(clients.ecr),
      settings: { env: ctx.env, profile: config.profile },
    };
  } catch (error) {
    throw toAwsUserError(error, 'resolving the AWS region');
  }
}

/** The region connectAws will report, known before the SDK loads (see regionFor): a step's first line can name it. */
export async function targetRegion(
  config: Pick<ResolvedConfig, 'region' | 'profile'>,
  ctx: { env: NodeJS.ProcessEnv },
): Promise<string> {
  try {
    return await regionFor(ctx.env, config);
  } catch (error) {
    throw toAwsUserError(error, 'resolving the AWS region');
  }
}
