// --pass-aws-credentials: the AWS credentials a local function receives, resolved the way the SDK resolves them.
import { ExitCode, UserError } from '../../core/errors.js';

/** The command's environment first, else the SDK's default chain (--profile, SSO, …); never printed. */
export async function awsCredentials(
  region: string,
  profile: string | undefined,
  env: NodeJS.ProcessEnv,
): Promise<Record<string, string>> {
  // The SDK is loaded only when credentials are asked for: it costs start-up time every other run would pay.
  const { readAwsEnvironment, resolveCredentials } = await import('../../aws/environment.js');
  try {
    const credentials = await resolveCredentials(readAwsEnvironment(env, profile), region);
    return {
      AWS_ACCESS_KEY_ID: credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
      ...(credentials.sessionToken ? { AWS_SESSION_TOKEN: credentials.sessionToken } : {}),
    };
  } catch (error) {
    throw new UserError('--pass-aws-credentials: no AWS credentials were found', {
      exitCode: ExitCode.awsError,
      hint: 'set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, pass --profile, or log in with `aws sso login`',
      cause: error,
    });
  }
}
