// The package's public entry: `defineConfig()` for typed config files and the types handlers are written against.
import type { LambdaConfig } from './config/types.js';

export type { Architecture, LambdaConfig } from './config/types.js';
export type {
  AwsLambdaGlobal,
  Callback,
  ClientContext,
  ClientContextClient,
  ClientContextEnv,
  CognitoIdentity,
  Context,
  Handler,
  HttpResponseMetadata,
  ResponseStream,
  StreamifyHandler,
} from './types/lambda.js';

/**
 * Gives a `lambda.config.ts` / `.mjs` type checking and editor completion; returns the config unchanged.
 *
 * @example
 * import { defineConfig } from 'tslambda';
 * export default defineConfig({ functionName: 'hello', handler: 'src/handler.handler' });
 */
export function defineConfig(config: LambdaConfig): LambdaConfig {
  return config;
}
