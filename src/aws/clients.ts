// Creates the ECR and Lambda clients for the command's environment: credential chain, region, endpoint overrides.
import { ECRClient } from '@aws-sdk/client-ecr';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { configuredEndpoint, credentialChain, readAwsEnvironment, type AwsService } from './environment.js';
import { awsRegion } from './region.js';

export interface AwsTarget {
  /** The command's environment (ctx.env): AWS_PROFILE, keys, AWS_REGION, AWS_ENDPOINT_URL[_ECR|_LAMBDA], HOME. */
  env: NodeJS.ProcessEnv;
  /** --region / config region; otherwise the SDK resolves it (AWS_REGION, the profile's region). */
  region?: string;
  /** --profile / config profile; otherwise the SDK's own choice (AWS_PROFILE, then default). */
  profile?: string;
  /** Ctrl-C: every request in flight is abandoned (the SDK's abortSignal), so the command can stop. */
  signal?: AbortSignal;
  /** Overrides AWS_TIMEOUTS (tests use short ones). */
  timeouts?: Partial<typeof AWS_TIMEOUTS>;
}

/**
 * Every AWS call is bounded (values in the README): a connection must open within `connectMs`, an open request
 * may stay silent `requestMs`, the SDK makes at most `maxAttempts` (its standard retry: throttling, 5xx,
 * dropped connections), and the call with all its attempts ends by `deadlineMs`.
 */
export const AWS_TIMEOUTS = { connectMs: 5_000, requestMs: 30_000, maxAttempts: 3, deadlineMs: 60_000 };

export interface AwsClients {
  ecr: ECRClient;
  lambda: LambdaClient;
}

/**
 * The SDK's own credential chain (keys, shared files, SSO, container and instance roles), region loader and
 * endpoint settings, fed from `target.env` rather than process.env; see ./environment.ts. The profile selects
 * both credentials and region, like AWS_PROFILE would.
 */
export function createAwsClients(target: AwsTarget): AwsClients {
  const timeouts = { ...AWS_TIMEOUTS, ...target.timeouts };
  const config = (service: AwsService) => ({
    ...sdkSettings(target, service),
    maxAttempts: timeouts.maxAttempts,
    requestHandler: {
      connectionTimeout: timeouts.connectMs,
      requestTimeout: timeouts.requestMs,
      throwOnRequestTimeout: true,
    },
  });
  return {
    ecr: bounded(new ECRClient(config('ECR')), target.signal, timeouts.deadlineMs),
    lambda: bounded(new LambdaClient(config('LAMBDA')), target.signal, timeouts.deadlineMs),
  };
}

/** Region, profile, credentials and endpoint of one service, from `target.env`; shared with the logs client (aws/logs.ts). */
export function sdkSettings(target: Pick<AwsTarget, 'env' | 'region' | 'profile'>, service: AwsService) {
  const aws = readAwsEnvironment(target.env, target.profile);
  const endpoint = configuredEndpoint(aws, service);
  return {
    region: awsRegion(aws, target.region),
    ...(aws.profile ? { profile: aws.profile } : {}),
    ...(aws.staticCredentials
      ? { credentials: aws.staticCredentials }
      : { credentialDefaultProvider: credentialChain(aws) }),
    ...(endpoint ? { endpoint } : {}),
  };
}

/** Gives every `send` of the client the command's abort signal and the call's deadline, unless a call passes its own signal. */
function bounded<C extends ECRClient | LambdaClient>(
  client: C,
  signal: AbortSignal | undefined,
  deadlineMs: number,
): C {
  const send = client.send.bind(client) as (command: unknown, options?: object) => Promise<unknown>;
  (client as { send: unknown }).send = async (command: unknown, options?: object) => {
    const deadline = AbortSignal.timeout(deadlineMs);
    try {
      return await send(command, { abortSignal: signal ? AbortSignal.any([signal, deadline]) : deadline, ...options });
    } catch (error) {
      if (deadline.aborted && !signal?.aborted)
        throw Object.assign(new Error(`no answer within ${deadlineMs / 1000} s`), {
          name: 'TimeoutError',
          cause: error,
        });
      throw error;
    }
  };
  return client;
}

/** The region a client ended up with, for messages and the summary. */
export async function resolvedRegion(client: ECRClient | LambdaClient): Promise<string> {
  return client.config.region();
}
