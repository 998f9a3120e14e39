// One synchronous Invoke with the log tail: what the function answered, and whether Lambda flagged it as an error.
import { InvokeCommand, type LambdaClient } from '@aws-sdk/client-lambda';

export interface InvokeAnswer {
  /** `Unhandled` (errors, timeouts, init failures) or `Handled`; undefined on success. */
  functionError?: string;
  payload: string;
  /** The last 4 KB of the invocation's log (X-Amz-Log-Result), decoded. */
  logTail: string;
  executedVersion?: string;
}

export async function invokeWithTail(
  lambda: LambdaClient,
  name: string,
  qualifier: string | undefined,
  payload: string,
  signal?: AbortSignal,
): Promise<InvokeAnswer> {
  const answer = await lambda.send(
    new InvokeCommand({ FunctionName: name, Qualifier: qualifier, Payload: Buffer.from(payload), LogType: 'Tail' }),
    { abortSignal: signal },
  );
  return {
    functionError: answer.FunctionError,
    payload: answer.Payload ? Buffer.from(answer.Payload).toString('utf8') : '',
    logTail: answer.LogResult ? Buffer.from(answer.LogResult, 'base64').toString('utf8') : '',
    executedVersion: answer.ExecutedVersion,
  };
}
