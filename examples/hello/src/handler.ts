import type { Handler } from 'tslambda';

interface HelloEvent {
  name?: string;
}

interface HelloResult {
  message: string;
  requestId: string;
  coldStart: boolean;
}

// Module scope runs once per execution environment (the Init phase); invocations reuse it.
let invocations = 0;

export const handler: Handler<HelloEvent, HelloResult> = async (event, context) => {
  invocations += 1;
  const name = event.name ?? 'world';
  console.log(`greeting ${name} with ${context.getRemainingTimeInMillis()} ms left`);
  return { message: `Hello, ${name}!`, requestId: context.awsRequestId, coldStart: invocations === 1 };
};
