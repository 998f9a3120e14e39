// The types a handler is written against: structurally the same as @types/aws-lambda's, so either can be used.
import type { Writable } from 'node:stream';

/** Identity of the Amazon Cognito user that invoked the function (mobile SDK only). */
export interface CognitoIdentity {
  cognitoIdentityId: string;
  cognitoIdentityPoolId: string;
}

export interface ClientContextClient {
  installationId: string;
  appTitle: string;
  appVersionName: string;
  appVersionCode: string;
  appPackageName: string;
}

export interface ClientContextEnv {
  platformVersion: string;
  platform: string;
  make: string;
  model: string;
  locale: string;
}

/** The client context sent by the invoker (`X-Amz-Client-Context`, base64 JSON). */
export interface ClientContext {
  client: ClientContextClient;
  Custom?: any;
  env: ClientContextEnv;
}

/** What the runtime passes as the second argument of every handler. */
export interface Context {
  /** Callback handlers: when true (default), the response waits until the event loop is empty. */
  callbackWaitsForEmptyEventLoop: boolean;
  functionName: string;
  functionVersion: string;
  invokedFunctionArn: string;
  /** A string, as Lambda passes it (e.g. "128"). */
  memoryLimitInMB: string;
  awsRequestId: string;
  logGroupName: string;
  logStreamName: string;
  identity?: CognitoIdentity | undefined;
  clientContext?: ClientContext | undefined;
  /** Set for functions using tenant isolation mode. */
  tenantId?: string | undefined;
  /** Milliseconds left before the invocation times out. */
  getRemainingTimeInMillis(): number;

  // Legacy completion methods of Lambda's Node runtime; kept so the type matches @types/aws-lambda.
  /** @deprecated Return a promise or use the callback instead. */
  done(error?: Error, result?: any): void;
  /** @deprecated Throw (or reject) instead. */
  fail(error: Error | string): void;
  /** @deprecated Return the value instead. */
  succeed(messageOrObject: any): void;
  /** @deprecated Return the value instead. */
  succeed(message: string, object: any): void;
}

/** The third argument of a callback-style handler; only the first call counts. */
export type Callback<TResult = any> = (error?: Error | string | null, result?: TResult) => void;

/**
 * A Lambda handler. Prefer an `async` function returning the result; a callback handler (three
 * parameters) is also accepted, as on Lambda.
 */
export type Handler<TEvent = any, TResult = any> = (
  event: TEvent,
  context: Context,
  callback: Callback<TResult>,
) => void | Promise<TResult>;

/** HTTP status, headers and cookies written before the body of a streamed Function URL response. */
export interface HttpResponseMetadata {
  statusCode?: number;
  headers?: Record<string, string>;
  cookies?: string[];
  [key: string]: unknown;
}

/** The writable stream a streaming handler writes its response to. */
export interface ResponseStream extends Writable {
  setContentType(contentType: string): void;
}

/** A handler that streams its response; wrap it with `awslambda.streamifyResponse(handler)`. */
export type StreamifyHandler<TEvent = any, TResult = void> = (
  event: TEvent,
  responseStream: ResponseStream,
  context: Context,
) => TResult | Promise<TResult>;

/** The `awslambda` global the runtime installs, as on Lambda, for response streaming. */
export interface AwsLambdaGlobal {
  streamifyResponse<TEvent = any, TResult = void>(
    handler: StreamifyHandler<TEvent, TResult>,
    options?: { highWaterMark?: number },
  ): StreamifyHandler<TEvent, TResult>;
  HttpResponseStream: {
    /** Writes the HTTP prelude (status, headers, cookies) and returns the stream to write the body to. */
    from(responseStream: Writable, metadata: HttpResponseMetadata): ResponseStream;
  };
}
