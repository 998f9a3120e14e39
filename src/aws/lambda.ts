// The Lambda side of a deploy: read a function, update its image by digest, wait, create, publish and alias.
import {
  CreateAliasCommand,
  CreateFunctionCommand,
  GetAliasCommand,
  GetFunctionCommand,
  PublishVersionCommand,
  UpdateAliasCommand,
  UpdateFunctionCodeCommand,
  UpdateFunctionConfigurationCommand,
  waitForFunctionActiveV2,
  waitForFunctionUpdatedV2,
  type GetFunctionCommandOutput,
  type LambdaClient,
} from '@aws-sdk/client-lambda';
import { setTimeout as sleep } from 'node:timers/promises';
import { ExitCode, UserError } from '../core/errors.js';
import type { Architecture } from '../config/types.js';
import { awsCall, awsErrorCode } from './errors.js';

/** What a deploy needs to know about a function, from GetFunction. */
export interface FunctionView {
  name: string;
  arn: string;
  packageType: 'Image' | 'Zip';
  architecture: Architecture;
  state?: string;
  lastUpdateStatus?: string;
  lastUpdateStatusReason?: string;
  lastUpdateStatusReasonCode?: string;
  imageUri?: string;
  resolvedImageUri?: string;
  /** For image functions, the manifest digest in hex. */
  codeSha256?: string;
  /** ImageConfig.Command: what the image's CMD is replaced with (the handler, for an image several functions share). */
  imageCommand?: string[];
}

export interface WaitOptions {
  /** Upper bound for waiting on Lambda, in seconds (--wait-timeout). */
  waitTimeoutSeconds: number;
  signal?: AbortSignal;
  /** First poll delay of the SDK waiter in seconds (its default is 1). */
  minDelaySeconds?: number;
  /** Backoff between attempts when Lambda answers ResourceConflictException. */
  conflictRetryDelaysMs?: number[];
  onStatus?: (text: string) => void;
}

/** Backoff for "an update is in progress": about 15 s in all before giving up. */
export const CONFLICT_RETRY_DELAYS_MS = [500, 1000, 2000, 4000, 8000];

export function toFunctionView(output: GetFunctionCommandOutput): FunctionView {
  const config = output.Configuration ?? {};
  return {
    name: config.FunctionName!,
    arn: config.FunctionArn!,
    packageType: config.PackageType === 'Zip' ? 'Zip' : 'Image',
    architecture: (config.Architectures?.[0] ?? 'x86_64') as Architecture,
    state: config.State,
    lastUpdateStatus: config.LastUpdateStatus,
    lastUpdateStatusReason: config.LastUpdateStatusReason,
    lastUpdateStatusReasonCode: config.LastUpdateStatusReasonCode,
    imageUri: output.Code?.ImageUri,
    resolvedImageUri: output.Code?.ResolvedImageUri,
    codeSha256: config.CodeSha256,
    imageCommand: config.ImageConfigResponse?.ImageConfig?.Command,
  };
}

/** GetFunction; undefined when the function does not exist. `signal` replaces the command's (a read after Ctrl-C). */
export async function getFunction(
  lambda: LambdaClient,
  name: string,
  signal?: AbortSignal,
): Promise<FunctionView | undefined> {
  try {
    return toFunctionView(
      await lambda.send(new GetFunctionCommand({ FunctionName: name }), signal ? { abortSignal: signal } : undefined),
    );
  } catch (error) {
    if (awsErrorCode(error) === 'ResourceNotFoundException') return undefined;
    return awsCall(`GetFunction ${name}`, () => Promise.reject(error));
  }
}

/**
 * Whether the function already runs this pushed image: AWS reports its digest (ResolvedImageUri, CodeSha256);
 * some emulators report only the exact reference we set (their ResolvedImageUri and CodeSha256 hash the URI).
 */
export function runsImage(fn: FunctionView, image: { digest: string; imageUri: string }): boolean {
  const hex = image.digest.replace(/^sha256:/, '');
  return (
    fn.imageUri === image.imageUri || fn.resolvedImageUri?.endsWith(`@sha256:${hex}`) === true || fn.codeSha256 === hex
  );
}

function waiterConfig(client: LambdaClient, options: WaitOptions) {
  const minDelay = options.minDelaySeconds ?? 1;
  return {
    client,
    maxWaitTime: Math.max(options.waitTimeoutSeconds, minDelay + 1),
    minDelay,
    maxDelay: Math.max(minDelay, 5),
    abortSignal: options.signal,
  };
}

function updateFailed(name: string, view: FunctionView): UserError {
  const code = view.lastUpdateStatusReasonCode ?? 'UnknownReason';
  return new UserError(`the update of ${name} failed: ${view.lastUpdateStatusReason ?? 'no reason given'} (${code})`, {
    exitCode: ExitCode.updateFailed,
    hint: 'fix the cause above and deploy again; the function keeps running its previous image',
    details: { function: name, reason: view.lastUpdateStatusReason, reasonCode: code },
  });
}

/** Polls with the SDK's waiter until LastUpdateStatus leaves InProgress; returns the settled view, Failed included. */
async function settleUpdate(lambda: LambdaClient, name: string, options: WaitOptions): Promise<FunctionView> {
  const result = await waitForFunctionUpdatedV2(waiterConfig(lambda, options), { FunctionName: name });
  if (result.state === 'SUCCESS' || result.state === 'FAILURE')
    return toFunctionView(result.reason as GetFunctionCommandOutput);
  if (result.state === 'ABORTED')
    throw new UserError('interrupted while waiting for Lambda', { exitCode: ExitCode.interrupted });
  if (result.state === 'TIMEOUT') {
    throw new UserError(`${name} is still updating after ${options.waitTimeoutSeconds}s`, {
      exitCode: ExitCode.updateFailed,
      hint: 'Lambda goes on with the update; check it with `aws lambda get-function`, or raise --wait-timeout',
    });
  }
  // RETRY with an exception as reason: the last poll itself failed.
  return awsCall(`GetFunction ${name}`, () => Promise.reject(result.reason));
}

/** Waits for the update to settle; a Failed update is a UserError with Lambda's reason and code. */
export async function waitForUpdate(lambda: LambdaClient, name: string, options: WaitOptions): Promise<FunctionView> {
  const view = await settleUpdate(lambda, name, options);
  if (view.lastUpdateStatus === 'Failed') throw updateFailed(name, view);
  return view;
}

/**
 * Points the function at `imageUri` (by digest). Waits first when another update is still running, retries
 * ResourceConflictException with backoff, then waits for the update to settle.
 */
export async function updateFunctionImage(
  lambda: LambdaClient,
  fn: FunctionView,
  imageUri: string,
  options: WaitOptions,
): Promise<FunctionView> {
  if (fn.lastUpdateStatus === 'InProgress') {
    options.onStatus?.('waiting for a previous update to finish');
    // A previous update that failed does not stop ours: our image replaces it.
    await settleUpdate(lambda, fn.name, options);
  }
  const delays = options.conflictRetryDelaysMs ?? CONFLICT_RETRY_DELAYS_MS;
  for (let attempt = 0; ; attempt++) {
    try {
      await lambda.send(new UpdateFunctionCodeCommand({ FunctionName: fn.name, ImageUri: imageUri }), {
        abortSignal: options.signal,
      });
      break;
    } catch (error) {
      const delay = delays[attempt];
      if (awsErrorCode(error) !== 'ResourceConflictException' || delay === undefined) {
        return awsCall(`UpdateFunctionCode ${fn.name}`, () => Promise.reject(error));
      }
      options.onStatus?.(`another update is in progress; retrying in ${delay}ms`);
      await sleep(delay, undefined, { signal: options.signal });
    }
  }
  options.onStatus?.('waiting for Lambda to finish the update');
  return waitForUpdate(lambda, fn.name, options);
}

export interface NewFunction {
  name: string;
  role: string;
  imageUri: string;
  architecture: Architecture;
  memorySize: number;
  timeout: number;
  environment: Record<string, string>;
  /** ImageConfig.Command, when the image's own CMD is not this function's handler. */
  imageCommand?: string[];
}

/** Sets ImageConfig.Command (the handler the image runs), then waits for the update to settle. */
export async function updateImageCommand(
  lambda: LambdaClient,
  name: string,
  command: string[],
  options: WaitOptions,
): Promise<FunctionView> {
  await awsCall(`UpdateFunctionConfiguration ${name}`, () =>
    lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: name, ImageConfig: { Command: command } }), {
      abortSignal: options.signal,
    }),
  );
  options.onStatus?.('waiting for Lambda to finish the configuration update');
  return waitForUpdate(lambda, name, options);
}

/** CreateFunction (PackageType Image), then waits until the function is Active. */
export async function createFunction(
  lambda: LambdaClient,
  spec: NewFunction,
  options: WaitOptions,
): Promise<FunctionView> {
  await awsCall(`CreateFunction ${spec.name}`, () =>
    lambda.send(
      new CreateFunctionCommand({
        FunctionName: spec.name,
        Role: spec.role,
        PackageType: 'Image',
        Code: { ImageUri: spec.imageUri },
        Architectures: [spec.architecture],
        MemorySize: spec.memorySize,
        Timeout: spec.timeout,
        Environment: { Variables: spec.environment },
        ...(spec.imageCommand ? { ImageConfig: { Command: spec.imageCommand } } : {}),
      }),
      { abortSignal: options.signal },
    ),
  );
  options.onStatus?.('waiting for the function to become Active');
  const result = await waitForFunctionActiveV2(waiterConfig(lambda, options), { FunctionName: spec.name });
  if (result.state === 'SUCCESS') return toFunctionView(result.reason as GetFunctionCommandOutput);
  if (result.state === 'FAILURE') {
    const config = (result.reason as GetFunctionCommandOutput).Configuration;
    throw new UserError(
      `${spec.name} was created but failed to become Active: ${config?.StateReason ?? 'no reason given'} (${config?.StateReasonCode ?? 'UnknownReason'})`,
      {
        exitCode: ExitCode.updateFailed,
      },
    );
  }
  if (result.state === 'TIMEOUT') {
    throw new UserError(`${spec.name} is still Pending after ${options.waitTimeoutSeconds}s`, {
      exitCode: ExitCode.updateFailed,
      hint: 'raise --wait-timeout',
    });
  }
  if (result.state === 'ABORTED')
    throw new UserError('interrupted while waiting for Lambda', { exitCode: ExitCode.interrupted });
  return awsCall(`GetFunction ${spec.name}`, () => Promise.reject(result.reason));
}

/** Publishes the code now in $LATEST (guarded by its CodeSha256, so a concurrent update is not published by mistake). */
export async function publishVersion(
  lambda: LambdaClient,
  name: string,
  codeSha256?: string,
): Promise<{ version: string; arn: string }> {
  const published = await awsCall(`PublishVersion ${name}`, () =>
    lambda.send(new PublishVersionCommand({ FunctionName: name, CodeSha256: codeSha256 })),
  );
  return { version: published.Version!, arn: published.FunctionArn! };
}

/** Points the alias at `version`, creating the alias when it does not exist yet. */
export async function pointAlias(
  lambda: LambdaClient,
  name: string,
  alias: string,
  version: string,
): Promise<{ arn: string; created: boolean; previousVersion?: string }> {
  let previousVersion: string | undefined;
  try {
    previousVersion = (await lambda.send(new GetAliasCommand({ FunctionName: name, Name: alias }))).FunctionVersion;
  } catch (error) {
    if (awsErrorCode(error) !== 'ResourceNotFoundException')
      return awsCall(`GetAlias ${name}:${alias}`, () => Promise.reject(error));
    const created = await awsCall(`CreateAlias ${name}:${alias}`, () =>
      lambda.send(new CreateAliasCommand({ FunctionName: name, Name: alias, FunctionVersion: version })),
    );
    return { arn: created.AliasArn!, created: true };
  }
  const updated = await awsCall(`UpdateAlias ${name}:${alias}`, () =>
    lambda.send(new UpdateAliasCommand({ FunctionName: name, Name: alias, FunctionVersion: version })),
  );
  return { arn: updated.AliasArn!, created: false, previousVersion };
}
