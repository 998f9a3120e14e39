// Reads what the AWS SDK would take from the process environment (profile, credentials, region, endpoints)
// from the command's own `env` object instead, with the SDK's own loaders, so that nothing depends on process.env.
// Still read from process.env by the SDK's chain, having no option: container and web-identity credentials and
// AWS_EC2_METADATA_DISABLED; in a real run ctx.env is process.env, so they behave as they always have.
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { chosenProfile as profileOf, sharedFiles, type SharedFiles } from './shared-files.js';

type CredentialChain = ReturnType<typeof defaultProvider>;
type AwsCredentialIdentity = Awaited<ReturnType<CredentialChain>>;

/** The services tslambda calls, by the SDK's service id (which names AWS_ENDPOINT_URL_<ID>). */
export type AwsService = 'ECR' | 'LAMBDA' | 'CLOUDWATCH_LOGS' | 'CLOUDWATCH' | 'CODEBUILD' | 'S3';

export interface AwsEnvironment {
  /** The chosen profile (--profile / config, else AWS_PROFILE); undefined means the shared files' "default". */
  profile?: string;
  /** The shared files the profile is read from (AWS_SHARED_CREDENTIALS_FILE, AWS_CONFIG_FILE, else under HOME). */
  files: SharedFiles;
  /** Static keys from the environment, which the SDK prefers when no profile is chosen. */
  staticCredentials?: AwsCredentialIdentity;
  env: NodeJS.ProcessEnv;
}

export function readAwsEnvironment(env: NodeJS.ProcessEnv, profile?: string): AwsEnvironment {
  const chosenProfile = profileOf(env, profile);
  const files = sharedFiles(env);
  const keys =
    env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY
      ? staticKeys(env, env.AWS_ACCESS_KEY_ID, env.AWS_SECRET_ACCESS_KEY)
      : undefined;
  // Like the SDK's chain: a chosen profile wins over keys in the environment.
  return {
    ...(chosenProfile ? { profile: chosenProfile } : {}),
    files,
    ...(keys && !chosenProfile ? { staticCredentials: keys } : {}),
    env,
  };
}

function staticKeys(env: NodeJS.ProcessEnv, accessKeyId: string, secretAccessKey: string): AwsCredentialIdentity {
  return {
    accessKeyId,
    secretAccessKey,
    ...(env.AWS_SESSION_TOKEN ? { sessionToken: env.AWS_SESSION_TOKEN } : {}),
    ...(env.AWS_CREDENTIAL_EXPIRATION ? { expiration: new Date(env.AWS_CREDENTIAL_EXPIRATION) } : {}),
    ...(env.AWS_CREDENTIAL_SCOPE ? { credentialScope: env.AWS_CREDENTIAL_SCOPE } : {}),
    ...(env.AWS_ACCOUNT_ID ? { accountId: env.AWS_ACCOUNT_ID } : {}),
  };
}

/**
 * The SDK's own credential chain (shared files, SSO, process, web identity, container and instance roles) over
 * the chosen profile and files; the client calls it with its own configuration, as it does its default.
 */
export function credentialChain(aws: AwsEnvironment): (clientConfig: object) => CredentialChain {
  // The profile is always named: the chain would otherwise consult process.env for AWS_PROFILE and keys.
  return (clientConfig) => defaultProvider({ ...clientConfig, ...aws.files, profile: aws.profile ?? 'default' });
}

/** The credentials a client would use, resolved now: keys in the environment, else the SDK's chain. */
export async function resolveCredentials(aws: AwsEnvironment, region: string): Promise<AwsCredentialIdentity> {
  return aws.staticCredentials ?? credentialChain(aws)({ region })();
}

/** AWS_ENDPOINT_URL_<SERVICE>, else AWS_ENDPOINT_URL, unless AWS_IGNORE_CONFIGURED_ENDPOINT_URLS is set. */
export function configuredEndpoint(aws: AwsEnvironment, service: AwsService): string | undefined {
  const { env } = aws;
  if (env.AWS_IGNORE_CONFIGURED_ENDPOINT_URLS === 'true') return undefined;
  return env[`AWS_ENDPOINT_URL_${service}`] || env.AWS_ENDPOINT_URL || undefined;
}
