// The AWS account and region a release goes to: SDK clients for the configured region and profile.
import { createAwsClients, resolvedRegion, type AwsClients } from '../aws/clients.js';
import { toAwsUserError } from '../aws/errors.js';
import type { ResolvedConfig } from '../config/types.js';

export interface AwsTarget {
  clients: AwsClients;
  region: string;
}

export async function connectAws(config: ResolvedConfig, signal?: AbortSignal): Promise<AwsTarget> {
  const clients = createAwsClients({ region: config.region, profile: config.profile, signal });
  try {
    return { clients, region: await resolvedRegion(clients.ecr) };
  } catch (error) {
    throw toAwsUserError(error, 'resolving the AWS region');
  }
}
