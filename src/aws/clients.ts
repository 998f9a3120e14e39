// Creates the ECR and Lambda clients from the SDK's defaults: credential chain, region, endpoint overrides.
import { ECRClient } from '@aws-sdk/client-ecr';
import { LambdaClient } from '@aws-sdk/client-lambda';

export interface AwsTarget {
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
 * The SDK reads credentials (env, shared files, SSO, container and instance roles) and AWS_ENDPOINT_URL /
 * AWS_ENDPOINT_URL_ECR / AWS_ENDPOINT_URL_LAMBDA itself; we only pass what the user chose explicitly. The
 * client `profile` option selects the profile for both credentials and region, like AWS_PROFILE would.
 */
export function createAwsClients(target: AwsTarget): AwsClients {
  // The SDK warns on every run under Node 20 about its own future releases; tslambda supports Node 20,
  // so that notice would only be noise in the user's output. An explicit setting is respected.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const timeouts = { ...AWS_TIMEOUTS, ...target.timeouts };
  const config = {
    ...(target.region ? { region: target.region } : {}),
    ...(target.profile ? { profile: target.profile } : {}),
    maxAttempts: timeouts.maxAttempts,
    requestHandler: { connectionTimeout: timeouts.connectMs, requestTimeout: timeouts.requestMs, throwOnRequestTimeout: true },
  };
  return { ecr: bounded(new ECRClient(config), target.signal, timeouts.deadlineMs), lambda: bounded(new LambdaClient(config), target.signal, timeouts.deadlineMs) };
}

/** Gives every `send` of the client the command's abort signal and the call's deadline, unless a call passes its own signal. */
function bounded<C extends ECRClient | LambdaClient>(client: C, signal: AbortSignal | undefined, deadlineMs: number): C {
  const send = client.send.bind(client) as (command: unknown, options?: object) => Promise<unknown>;
  (client as { send: unknown }).send = async (command: unknown, options?: object) => {
    const deadline = AbortSignal.timeout(deadlineMs);
    try {
      return await send(command, { abortSignal: signal ? AbortSignal.any([signal, deadline]) : deadline, ...options });
    } catch (error) {
      if (deadline.aborted && !signal?.aborted) throw Object.assign(new Error(`no answer within ${deadlineMs / 1000} s`), { name: 'TimeoutError', cause: error });
      throw error;
    }
  };
  return client;
}

/** The region a client ended up with, for messages and the summary. */
export async function resolvedRegion(client: ECRClient | LambdaClient): Promise<string> {
  return client.config.region();
}
