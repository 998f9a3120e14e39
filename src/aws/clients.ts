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
}

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
  const config = {
    ...(target.region ? { region: target.region } : {}),
    ...(target.profile ? { profile: target.profile } : {}),
  };
  return { ecr: abortable(new ECRClient(config), target.signal), lambda: abortable(new LambdaClient(config), target.signal) };
}

/** Gives every `send` of the client the command's abort signal, unless a call passes its own. */
function abortable<C extends ECRClient | LambdaClient>(client: C, signal: AbortSignal | undefined): C {
  if (!signal) return client;
  const send = client.send.bind(client) as (command: unknown, options?: object) => Promise<unknown>;
  (client as { send: unknown }).send = (command: unknown, options?: object) => send(command, { abortSignal: signal, ...options });
  return client;
}

/** The region a client ended up with, for messages and the summary. */
export async function resolvedRegion(client: ECRClient | LambdaClient): Promise<string> {
  return client.config.region();
}
