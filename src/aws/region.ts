// Decides the AWS region, and is the only place that does: AWS calls ask `awsRegion`, local runs `defaultRegion`.
import type { AwsEnvironment } from './environment.js';
import { chosenProfile, profileRegion, sharedFiles } from './shared-files.js';

/** The region a local run reports when nothing names one: the one the AWS CLI and console fall back to. */
export const LOCAL_DEFAULT_REGION = 'us-east-1';

/**
 * The region for a local run (invoke-local): --region / config / AWS_REGION, then AWS_DEFAULT_REGION (the AWS
 * CLI's name), then us-east-1. A local run needs some region for AWS_REGION and ARNs, never a failure.
 */
export function defaultRegion(env: NodeJS.ProcessEnv, config: { region?: string | undefined }): string {
  return config.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? LOCAL_DEFAULT_REGION;
}

/**
 * The region for AWS calls: the chosen one (--region / config / AWS_REGION), else the profile's `region` in the
 * shared files, else the SDK's own loader (instance metadata, then its "Region is missing" error, a UserError later).
 * The SDK does not read AWS_DEFAULT_REGION, so neither does this.
 */
export function awsRegion(
  aws: Pick<AwsEnvironment, 'env' | 'files' | 'profile'>,
  chosen: string | undefined,
): string | (() => Promise<string>) {
  if (chosen) return chosen;
  let region: Promise<string> | undefined;
  // The files are read on first use, and the SDK's loader loads only when they do not decide: local runs import this
  // module for `defaultRegion`, and a command's first line should not wait for the SDK.
  return () =>
    (region ??= (async () => {
      const fromEnv = aws.env.AWS_REGION || undefined;
      if (fromEnv) return fromEnv;
      const fromFiles = await profileRegion(aws.files, aws.profile ?? 'default');
      if (fromFiles) return fromFiles;
      const { loadConfig, NODE_REGION_CONFIG_FILE_OPTIONS, NODE_REGION_CONFIG_OPTIONS } = await import(
        '@smithy/core/config'
      );
      return loadConfig(
        { ...NODE_REGION_CONFIG_OPTIONS, environmentVariableSelector: () => aws.env.AWS_REGION || undefined },
        { ...NODE_REGION_CONFIG_FILE_OPTIONS, ...aws.files, profile: aws.profile ?? 'default' },
      )();
    })());
}

/**
 * The region AWS calls of this command go to, as the clients will report it, known before any SDK client loads:
 * so that a step can name it in its first line.
 */
export async function regionFor(env: NodeJS.ProcessEnv, config: { region?: string; profile?: string }) {
  const region = awsRegion(
    { env, files: sharedFiles(env), profile: chosenProfile(env, config.profile) },
    config.region,
  );
  return clientRegion(typeof region === 'string' ? region : await region());
}

/** The SDK clients take a FIPS pseudo-region (`fips-us-east-1`, `us-east-1-fips`) as its real region. */
export function clientRegion(region: string): string {
  if (!region.startsWith('fips-') && !region.endsWith('-fips')) return region;
  if (region === 'fips-aws-global' || region === 'aws-fips') return 'us-east-1';
  return region.replace(/fips-(dkr-|prod-)?|-fips/, '');
}
