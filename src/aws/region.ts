// Decides the AWS region, and is the only place that does: AWS calls ask `awsRegion`, local runs `defaultRegion`.
import type { AwsEnvironment } from './environment.js';

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
 * shared files, by the SDK's own loader; with neither, the SDK's "Region is missing" error (a UserError later).
 */
export function awsRegion(aws: AwsEnvironment, chosen: string | undefined): string | (() => Promise<string>) {
  if (chosen) return chosen;
  let region: Promise<string> | undefined;
  // Loaded on first use: local runs import this module for `defaultRegion` and should not pay for the loader.
  return () =>
    (region ??= import('@smithy/core/config').then(
      ({ loadConfig, NODE_REGION_CONFIG_FILE_OPTIONS, NODE_REGION_CONFIG_OPTIONS }) =>
        loadConfig(
          { ...NODE_REGION_CONFIG_OPTIONS, environmentVariableSelector: () => aws.env.AWS_REGION || undefined },
          { ...NODE_REGION_CONFIG_FILE_OPTIONS, ...aws.files, profile: aws.profile ?? 'default' },
        )(),
    ));
}
