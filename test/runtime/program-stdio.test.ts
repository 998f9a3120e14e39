// Contract of the stdio protocol of `program` handlers: the real runtime loop runs a Python program that speaks the
// protocol by hand, against the test Runtime API: results, typed errors, logs around frames, 6 MB both ways,
// malformed frames, a program that exits mid-invocation, one that never answers, one that answers then crashes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { SIX_MB } from './support/runtime-api-server.js';
import { deadlineIn, eventually, startProgram, type ProgramRuntime } from './support/program-runtime.js';

const PROTOCOL_PY = readFileSync(fileURLToPath(new URL('../fixtures/programs/protocol.py', import.meta.url)), 'utf8');

function errorOf(outcome: { kind: string; headers: Record<string, unknown>; body: Buffer }) {
  expect(outcome.kind).toBe('error');
  return { header: outcome.headers['lambda-runtime-function-error-type'], ...JSON.parse(outcome.body.toString()) };
}

describe('stdio program', () => {
  let p: ProgramRuntime;
  beforeAll(async () => {
    p = await startProgram({ command: ['python3', 'protocol.py'], protocol: 'stdio' }, { 'protocol.py': PROTOCOL_PY });
  });
  afterAll(() => p.stop());

  it('starts the program once at init and keeps it warm across invocations', async () => {
    await p.api.whenWaitingForNext();
    const first = await p.api.invoke({ op: 'pid' });
    const second = await p.api.invoke({ op: 'pid' });
    expect(first.kind).toBe('response');
    expect(second.body.toString()).toBe(first.body.toString());
    expect(p.runtime.stdout().match(/booting/g)).toHaveLength(1);
  });

  it('posts the answer of a frame and forwards stdout lines around it and stderr as logs', async () => {
    const outcome = await p.api.invoke({ op: 'logs' });
    expect(outcome.body.toString()).toBe('"with logs"');
    await eventually(p.runtime.stdout, 'stdout log after');
    expect(p.runtime.stdout()).toContain('stdout log before\n');
    expect(p.runtime.stdout()).not.toContain('@tslambda');
    await eventually(p.runtime.stderr, 'stderr log before');
  });

  it('posts a typed error with its Function.* header', async () => {
    const error = errorOf(await p.api.invoke({ op: 'typed-error' }));
    expect(error).toMatchObject({ header: 'Function.NotFound', errorType: 'NotFound', errorMessage: 'no such item' });
  });

  it('reports a frame that is not JSON, or not a result or an error, as Runtime.InvalidResponse and goes on', async () => {
    const badJson = errorOf(await p.api.invoke({ op: 'bad-json' }));
    expect(badJson).toMatchObject({ header: 'Runtime.InvalidResponse', errorType: 'Runtime.InvalidResponse' });
    expect(badJson.errorMessage).toMatch(/not valid JSON .*\{"result": nope/);
    const badShape = errorOf(await p.api.invoke({ op: 'bad-shape' }));
    expect(badShape.errorMessage).toMatch(/must be \{"result": …\} or \{"error"/);
    expect((await p.api.invoke({ op: 'logs' })).kind).toBe('response');
  });

  it('carries 6 MB events and results', async () => {
    const pad = 'é'.repeat((SIX_MB - 100) / 2);
    const size = await p.api.invoke({ op: 'size', pad });
    expect(Number(size.body.toString())).toBeGreaterThan(SIX_MB - 200);
    const big = await p.api.invoke({ op: 'big', chars: SIX_MB - 10 });
    expect(big.kind).toBe('response');
    expect(big.body.length).toBe(SIX_MB - 8);
  });

  it('reports a program that exits mid-invocation as Runtime.ExitError with its last output, then starts it again', async () => {
    const before = (await p.api.invoke({ op: 'pid' })).body.toString();
    const error = errorOf(await p.api.invoke({ op: 'exit' }));
    expect(error).toMatchObject({ header: 'Runtime.ExitError', errorType: 'Runtime.ExitError' });
    expect(error.errorMessage).toMatch(
      /"python3 protocol.py" exited with code 3 before answering; its last output:\n[\s\S]*dying now/,
    );
    const after = await p.api.invoke({ op: 'pid' });
    expect(after.kind).toBe('response');
    expect(after.body.toString()).not.toBe(before);
  });

  it('times out a program that never answers, as Lambda words it, and starts a fresh one', async () => {
    const before = (await p.api.invoke({ op: 'pid' })).body.toString();
    const error = errorOf(await p.api.invoke({ op: 'hang' }, deadlineIn(400)));
    expect(error.errorType).toBe('Sandbox.Timedout');
    expect(error.errorMessage).toMatch(/^Task timed out after 0\.\d\d seconds$/);
    const after = await p.api.invoke({ op: 'pid' });
    expect(after.kind).toBe('response');
    expect(after.body.toString()).not.toBe(before);
  });

  it('posts the answer of a program that crashes right after it, and restarts it for the next invocation', async () => {
    const outcome = await p.api.invoke({ op: 'frame-then-crash' });
    expect(outcome.kind).toBe('response');
    expect(outcome.body.toString()).toBe('"answered"');
    await eventually(p.runtime.stderr, 'exited with code 1 between invocations; it is started again for the next one');
    expect((await p.api.invoke({ op: 'pid' })).kind).toBe('response');
  });
});

describe('stdio program init', () => {
  const SLOW_START =
    'import sys, time\nprint("loading", file=sys.stderr, flush=True)\ntime.sleep(0.3)\nprint("loaded", file=sys.stderr, flush=True)\ntime.sleep(0.2)\nprint(\'@tslambda {"ready": true}\', flush=True)\nfor line in sys.stdin: print(\'@tslambda {"result": 1}\', flush=True)\n';

  it('with awaitReady, asks for the first event only once the program wrote its ready line', async () => {
    const p = await startProgram({ command: ['python3', 'slow.py'], awaitReady: true }, { 'slow.py': SLOW_START });
    try {
      await p.api.whenWaitingForNext();
      expect(p.runtime.stderr()).toContain('loaded');
      expect((await p.api.invoke({})).body.toString()).toBe('1');
    } finally {
      await p.stop();
    }
  });

  it('without awaitReady, asks for events at once and ignores the ready line', async () => {
    const p = await startProgram({ command: ['python3', 'slow.py'] }, { 'slow.py': SLOW_START });
    try {
      await p.api.whenWaitingForNext();
      expect(p.runtime.stderr()).not.toContain('loaded');
      expect((await p.api.invoke({})).body.toString()).toBe('1');
      expect(p.runtime.stderr()).not.toContain('no invocation was in progress');
    } finally {
      await p.stop();
    }
  });

  it('with awaitReady, reports a program that is never ready as Runtime.ProgramNotReady with its last output', async () => {
    const stuck = 'import sys, time\nprint("loading", file=sys.stderr, flush=True)\ntime.sleep(60)\n';
    const p = await startProgram(
      { command: ['python3', 'stuck.py'], awaitReady: true, initTimeoutMs: 4000 },
      { 'stuck.py': stuck },
    );
    try {
      const body = JSON.parse((await p.api.whenInitError()).body.toString());
      expect(body.errorType).toBe('Runtime.ProgramNotReady');
      expect(body.errorMessage).toMatch(
        /did not write @tslambda \{"ready": true\} within 4000 ms; its last output:\nloading$/,
      );
    } finally {
      await p.stop();
    }
  });

  it('with awaitReady, a restart that fails before ready fails that invocation as the program, not as the runtime', async () => {
    // Ready on its first start; exits on the event "crash"; exits before ready on every start after that.
    const flaky =
      'import os, sys\nif os.path.exists("started"):\n    print("cannot start twice", file=sys.stderr, flush=True)\n    sys.exit(4)\nopen("started", "w").close()\nprint(\'@tslambda {"ready": true}\', flush=True)\nfor line in sys.stdin: sys.exit(3)\n';
    const p = await startProgram({ command: ['python3', 'flaky.py'], awaitReady: true }, { 'flaky.py': flaky });
    try {
      expect(errorOf(await p.api.invoke({})).errorType).toBe('Runtime.ExitError');
      const restart = errorOf(await p.api.invoke({}));
      expect(restart).toMatchObject({ header: 'Runtime.ExitError', errorType: 'Runtime.ExitError' });
      // The runtime's own frames (ChildProcess.emit …) are not the function's stack.
      expect(restart.trace ?? []).toEqual([]);
      expect(restart.errorMessage).toMatch(
        /^the program "python3 flaky.py" exited with code 4 before it was ready; its last output:\ncannot start twice$/,
      );
    } finally {
      await p.stop();
    }
  });

  it('reports a command that cannot start as Runtime.InvalidEntrypoint on /init/error', async () => {
    const p = await startProgram({ command: ['no-such-program-xyz'], protocol: 'stdio' }, {});
    try {
      const received = await p.api.whenInitError();
      expect(received.headers['lambda-runtime-function-error-type']).toBe('Runtime.InvalidEntrypoint');
      expect(JSON.parse(received.body.toString()).errorMessage).toMatch(
        /cannot start the program "no-such-program-xyz": spawn no-such-program-xyz ENOENT/,
      );
      expect((await p.runtime.exited).code).toBe(1);
    } finally {
      await p.stop();
    }
  });

  it('reports a program config it cannot use as Runtime.InvalidProgram naming the key', async () => {
    const p = await startProgram({ command: 'python3 app.py' }, {});
    try {
      const received = await p.api.whenInitError();
      expect(JSON.parse(received.body.toString())).toMatchObject({
        errorType: 'Runtime.InvalidProgram',
        errorMessage: 'program.command must be a non-empty array of strings, e.g. ["python3", "worker.py"]',
      });
    } finally {
      await p.stop();
    }
  });
});
