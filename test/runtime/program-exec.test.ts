// Contract of the exec protocol of `program` handlers: one bash process per invocation, run by the real runtime loop
// against the test Runtime API: the event on stdin, the result on stdout (JSON or text), stderr as logs, the context
// in the environment, a non-zero exit as Runtime.ExitError, a process past its deadline killed, 6 MB both ways.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SIX_MB } from './support/runtime-api-server.js';
import { deadlineIn, eventually, startProgram, type ProgramRuntime } from './support/program-runtime.js';

const HANDLER_SH = `
event=$(cat)
echo "log: got \${#event} bytes" >&2
case "$event" in
  *'"op":"text"'*) echo "plain words" ;;
  *'"op":"fail"'*) echo "cannot do that" >&2; exit 4 ;;
  *'"op":"hang"'*) sleep 600 ;;
  *'"op":"context"'*) printf '{"id":"%s","arn":"%s","trace":"%s","context":%s}' "$LAMBDA_REQUEST_ID" "$LAMBDA_FUNCTION_ARN" "$_X_AMZN_TRACE_ID" "$LAMBDA_CONTEXT" ;;
  *'"op":"pid"'*) echo $$ ;;
  *) printf '%s' "$event" ;;
esac
`;

describe('exec program', () => {
  let p: ProgramRuntime;
  beforeAll(async () => {
    p = await startProgram({ command: ['bash', 'handler.sh'], protocol: 'exec' }, { 'handler.sh': HANDLER_SH });
  });
  afterAll(() => p.stop());

  it('runs one process per invocation: the event on stdin, JSON stdout as the result, stderr as logs', async () => {
    const event = { op: 'echo', text: 'ünïcode "q"' };
    const outcome = await p.api.invoke(event);
    expect(JSON.parse(outcome.body.toString())).toEqual(event);
    await eventually(p.runtime.stderr, 'log: got');
    const pids = [await p.api.invoke({ op: 'pid' }), await p.api.invoke({ op: 'pid' })].map((o) => o.body.toString());
    expect(pids[0]).not.toBe(pids[1]);
  });

  it('returns stdout that is not JSON as a string without its final newline', async () => {
    expect((await p.api.invoke({ op: 'text' })).body.toString()).toBe('"plain words"');
  });

  it('gives the context in the environment', async () => {
    const outcome = await p.api.invoke({ op: 'context' }, { 'Lambda-Runtime-Trace-Id': 'Root=1-xyz' });
    const seen = JSON.parse(outcome.body.toString());
    expect(seen).toMatchObject({
      id: outcome.requestId,
      arn: 'arn:aws:lambda:us-east-1:123456789012:function:test',
      trace: 'Root=1-xyz',
    });
    expect(seen.context).toMatchObject({ requestId: outcome.requestId, functionName: 'fn' });
  });

  it('reports a non-zero exit as Runtime.ExitError with the last output', async () => {
    const outcome = await p.api.invoke({ op: 'fail' });
    expect(outcome.kind).toBe('error');
    expect(outcome.headers['lambda-runtime-function-error-type']).toBe('Runtime.ExitError');
    expect(JSON.parse(outcome.body.toString()).errorMessage).toMatch(
      /"bash handler.sh" exited with code 4; its last output:\n[\s\S]*cannot do that/,
    );
  });

  it('kills a process still running at the deadline and goes on', async () => {
    const outcome = await p.api.invoke({ op: 'hang' }, deadlineIn(400));
    expect(JSON.parse(outcome.body.toString())).toMatchObject({ errorType: 'Sandbox.Timedout' });
    expect((await p.api.invoke({ op: 'text' })).kind).toBe('response');
  });

  it('carries 6 MB events and results', async () => {
    const event = { op: 'echo', pad: 'x'.repeat(SIX_MB - 100) };
    const outcome = await p.api.invoke(event);
    expect(outcome.body.length).toBe(JSON.stringify(event).length);
  });

  it('reports a command that cannot start as Runtime.InvalidEntrypoint for the invocation', async () => {
    const q = await startProgram({ command: ['./missing.sh'], protocol: 'exec' }, {});
    try {
      const outcome = await q.api.invoke({});
      expect(JSON.parse(outcome.body.toString())).toMatchObject({ errorType: 'Runtime.InvalidEntrypoint' });
    } finally {
      await q.stop();
    }
  });
});
