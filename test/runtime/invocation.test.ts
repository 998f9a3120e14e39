// Contract of the runtime loop for invocations: what reaches the Runtime API for results, errors, headers/context,
// UTF-8 and 6 MB bodies, callback semantics, uncaught failures and a broken API, on every Node version.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { forEachNode } from './support/node-binaries.js';
import { RuntimeApiServer, SIX_MB, type Outcome } from './support/runtime-api-server.js';
import { dirname } from 'node:path';
import {
  BOOTSTRAP,
  removeTaskRoot,
  startRuntime,
  writeTaskRoot,
  type RuntimeProcess,
} from './support/runtime-process.js';

/** The major version of a runtime binary, which decides the handler contract it follows. */
function nodeMajor(node: { label: string }): number {
  return Number(/(\d+)/.exec(node.label)?.[1]);
}

const ERROR_TYPE_HEADER = /^(Runtime|Function)\.[A-Z][a-zA-Z]+$/;

const asyncHandler = `
const crypto = require('crypto');
class NotFound extends Error {}
exports.handler = async (event, context) => {
  switch (event.op) {
    case 'echo': return event;
    case 'undefined': return undefined;
    case 'context': {
      const { getRemainingTimeInMillis, ...fields } = context;
      return { ...fields, remaining: context.getRemainingTimeInMillis(), trace: process.env._X_AMZN_TRACE_ID ?? null };
    }
    case 'type-error': throw new TypeError('bad type');
    case 'custom-error': throw new NotFound('no such thing');
    case 'reject-string': throw 'plain string';
    case 'circular': { const a = {}; a.self = a; return a; }
    case 'bigint': return { n: 10n };
    case 'sized': return 'x'.repeat(event.bytes - 2);
    case 'digest': {
      const text = JSON.stringify(event);
      return { bytes: Buffer.byteLength(text), sha256: crypto.createHash('sha256').update(text).digest('hex') };
    }
  }
  throw new Error('unknown op ' + event.op);
};
`;

const callbackHandler = `
exports.handler = (event, context, callback) => {
  const result = { timerRan: false };
  switch (event.op) {
    case 'waits':
      setTimeout(() => { result.timerRan = true; }, 30);
      return callback(null, result);
    case 'no-wait':
      context.callbackWaitsForEmptyEventLoop = false;
      setTimeout(() => { result.timerRan = true; }, 30);
      return callback(null, result);
    case 'twice':
      callback(null, 'first');
      callback(null, 'second');
      return;
    case 'error':
      return callback(new RangeError('out of range'));
    case 'callback-and-promise':
      callback(null, 'from callback');
      return Promise.resolve('from promise');
    case 'never':
      setTimeout(() => { result.timerRan = true; }, 30);
      return 'ignored return value';
    case 'legacy-succeed':
      return context.succeed({ legacy: true });
  }
};
`;

function json(outcome: Outcome): unknown {
  return JSON.parse(outcome.body.toString('utf8'));
}

forEachNode(describe, describe.skip, it, (node) => {
  describe('async handler', () => {
    let api: RuntimeApiServer;
    let runtime: RuntimeProcess;
    let root: string;

    beforeAll(async () => {
      api = await RuntimeApiServer.start();
      root = writeTaskRoot({ 'index.js': asyncHandler, 'package.json': '{}' });
      runtime = startRuntime({
        node: node.path,
        api: api.address,
        taskRoot: root,
        handler: 'index.handler',
        env: {
          AWS_LAMBDA_FUNCTION_NAME: 'fn',
          AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
          AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '512',
          AWS_LAMBDA_LOG_GROUP_NAME: '/aws/lambda/fn',
          AWS_LAMBDA_LOG_STREAM_NAME: '2024/01/01/[$LATEST]abc',
        },
      });
    });

    afterAll(async () => {
      await runtime.stop();
      await api.close();
      removeTaskRoot(root);
    });

    it('asks for /next with only Host and User-Agent, and posts the JSON result with an exact Content-Length', async () => {
      const outcome = await api.invoke({ op: 'echo', text: 'plain' });
      expect(outcome.kind).toBe('response');
      expect(outcome.body.toString()).toBe('{"op":"echo","text":"plain"}');
      expect(outcome.method).toBe('POST');
      expect(outcome.path).toBe(`/2018-06-01/runtime/invocation/${outcome.requestId}/response`);
      expect(outcome.rawHeaderNames).toEqual(['Host', 'User-Agent', 'Content-Type', 'Content-Length']);
      expect(outcome.headers['host']).toBe(api.address);
      expect(outcome.headers['content-type']).toBe('application/json');
      expect(outcome.headers['content-length']).toBe(String(outcome.body.length));
      const next = api.received.find((r) => r.path.endsWith('/next'))!;
      expect(next.method).toBe('GET');
      expect(next.rawHeaderNames).toEqual(['Host', 'User-Agent']);
      expect(next.body.length).toBe(0);
      expect(api.unexpected).toEqual([]);
    });

    it('posts null for an undefined result', async () => {
      const outcome = await api.invoke({ op: 'undefined' });
      expect(outcome.kind).toBe('response');
      expect(outcome.body.toString()).toBe('null');
    });

    it('builds the context from the environment and every invocation header, and sets the trace id', async () => {
      const deadline = Date.now() + 20_000;
      const headers = {
        'Lambda-Runtime-Deadline-Ms': String(deadline),
        'Lambda-Runtime-Invoked-Function-Arn': 'arn:aws:lambda:eu-west-1:111122223333:function:fn:prod',
        'Lambda-Runtime-Trace-Id': 'Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1',
        'Lambda-Runtime-Client-Context': JSON.stringify({ client: { app_title: 'app' }, custom: { k: 'v' }, env: {} }),
        'Lambda-Runtime-Cognito-Identity': JSON.stringify({
          cognitoIdentityId: 'id-1',
          cognitoIdentityPoolId: 'pool-1',
        }),
        'Lambda-Runtime-Aws-Tenant-Id': 'tenant-42',
      };
      const before = Date.now();
      const outcome = await api.invoke({ op: 'context' }, headers);
      const context = json(outcome) as Record<string, unknown>;
      expect(context).toMatchObject({
        awsRequestId: outcome.requestId,
        invokedFunctionArn: 'arn:aws:lambda:eu-west-1:111122223333:function:fn:prod',
        functionName: 'fn',
        functionVersion: '$LATEST',
        memoryLimitInMB: '512',
        logGroupName: '/aws/lambda/fn',
        logStreamName: '2024/01/01/[$LATEST]abc',
        identity: { cognitoIdentityId: 'id-1', cognitoIdentityPoolId: 'pool-1' },
        clientContext: { client: { app_title: 'app' }, custom: { k: 'v' }, env: {} },
        tenantId: 'tenant-42',
        callbackWaitsForEmptyEventLoop: true,
        trace: 'Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1',
      });
      expect(context.remaining).toBeGreaterThan(0);
      expect(context.remaining).toBeLessThanOrEqual(deadline - before);
      const raw = context.headers as Record<string, string>;
      expect(raw['lambda-runtime-aws-request-id']).toBe(outcome.requestId);
      expect(raw['lambda-runtime-aws-tenant-id']).toBe('tenant-42');
      expect(raw['lambda-runtime-deadline-ms']).toBe(String(deadline));

      // The trace id belongs to one invocation only.
      const without = json(await api.invoke({ op: 'context' })) as Record<string, unknown>;
      expect(without.trace).toBeNull();
      expect(without.tenantId).toBeUndefined();
      expect(without.identity).toBeUndefined();
    });

    it('reports a thrown TypeError with its name in the body and Function.TypeError in the header', async () => {
      const outcome = await api.invoke({ op: 'type-error' });
      expect(outcome.kind).toBe('error');
      expect(outcome.path).toBe(`/2018-06-01/runtime/invocation/${outcome.requestId}/error`);
      expect(outcome.headers['lambda-runtime-function-error-type']).toBe('Function.TypeError');
      const body = json(outcome) as { errorType: string; errorMessage: string; trace: string[] };
      expect(body.errorType).toBe('TypeError');
      expect(body.errorMessage).toBe('bad type');
      // As the official client (3.x and 4.x): `trace` is the stack's lines, its header first.
      expect(body.trace[0]).toBe('TypeError: bad type');
      expect(body.trace[1]).toMatch(/^\s+at .*index\.js:\d+:\d+/);
      expect(body).not.toHaveProperty('stackTrace');
      // The runtime's own frames say nothing about the user's code.
      expect(body.trace.filter((frame) => frame.includes(`${dirname(BOOTSTRAP)}/`))).toEqual([]);
      expect(outcome.headers['content-length']).toBe(String(outcome.body.length));
    });

    it('names a subclass of Error by its name, as the official client does, and keeps the header within the accepted pattern', async () => {
      const outcome = await api.invoke({ op: 'custom-error' });
      expect(json(outcome)).toMatchObject({ errorType: 'Error', errorMessage: 'no such thing' });
      expect(outcome.headers['lambda-runtime-function-error-type']).toBe('Function.Error');
    });

    it('reports a rejected non-Error value by its type', async () => {
      const outcome = await api.invoke({ op: 'reject-string' });
      expect(json(outcome)).toEqual({ errorType: 'string', errorMessage: 'plain string', trace: [] });
      expect(outcome.headers['lambda-runtime-function-error-type']).toMatch(ERROR_TYPE_HEADER);
    });

    it('turns a result that cannot be serialised (circular, BigInt) into an error response and keeps running', async () => {
      for (const op of ['circular', 'bigint']) {
        const outcome = await api.invoke({ op });
        expect(outcome.kind).toBe('error');
        // As the official client: a plain Error up to Node 22 (3.x), Runtime.JSONStringifyError from Node 24 (4.x).
        expect(json(outcome)).toMatchObject({
          errorType: nodeMajor(node) >= 24 ? 'Runtime.JSONStringifyError' : 'Error',
          errorMessage: 'Unable to stringify response body',
        });
      }
      expect((await api.invoke({ op: 'echo' })).kind).toBe('response');
    });

    it('reports an event that is not JSON as Runtime.InvalidEvent', async () => {
      const outcome = await api.invoke(Buffer.from('{not json'));
      expect(outcome.kind).toBe('error');
      expect(outcome.headers['lambda-runtime-function-error-type']).toBe('Runtime.InvalidEvent');
    });

    it('reports a malformed Client-Context header as a failed invocation', async () => {
      const outcome = await api.invoke({ op: 'echo' }, { 'Lambda-Runtime-Client-Context': '{oops' });
      expect(outcome.kind).toBe('error');
      expect((json(outcome) as { errorMessage: string }).errorMessage).toMatch(/Client-Context/);
    });

    it('carries multi-byte UTF-8 intact both ways, across read-buffer boundaries', async () => {
      for (const shift of [0, 1, 2, 3]) {
        const event = { op: 'echo', text: 'a'.repeat(shift) + 'héllo wörld 日本語 🌍'.repeat(9000) };
        const outcome = await api.invoke(event);
        expect(outcome.kind).toBe('response');
        expect(outcome.body.equals(Buffer.from(JSON.stringify(event)))).toBe(true);
        expect(outcome.headers['content-length']).toBe(String(Buffer.byteLength(JSON.stringify(event))));
      }
    });

    it('receives an event of exactly 6 MB intact', async () => {
      const prefix = '{"op":"digest","pad":"';
      const suffix = '"}';
      const text = prefix + 'é'.repeat((SIX_MB - prefix.length - suffix.length) / 2) + suffix;
      expect(Buffer.byteLength(text)).toBe(SIX_MB);
      const outcome = await api.invoke(Buffer.from(text));
      const { createHash } = await import('node:crypto');
      expect(json(outcome)).toEqual({ bytes: SIX_MB, sha256: createHash('sha256').update(text).digest('hex') });
    });

    it('posts a response of exactly 6 MB byte for byte', async () => {
      const outcome = await api.invoke({ op: 'sized', bytes: SIX_MB });
      expect(outcome.kind).toBe('response');
      expect(outcome.body.length).toBe(SIX_MB);
      expect(outcome.body.equals(Buffer.from(JSON.stringify('x'.repeat(SIX_MB - 2))))).toBe(true);
    });

    it('answers a 413 for a response one byte over 6 MB with Function.ResponseSizeTooLarge on /error, then keeps going', async () => {
      const [tooLarge, error] = await api.invokeAll({ op: 'sized', bytes: SIX_MB + 1 }, {}, 2);
      expect(tooLarge.kind).toBe('response');
      expect(tooLarge.body.length).toBe(SIX_MB + 1);
      expect(error.kind).toBe('error');
      expect(error.headers['lambda-runtime-function-error-type']).toBe('Function.ResponseSizeTooLarge');
      expect(json(error)).toMatchObject({ errorType: 'Function.ResponseSizeTooLarge' });
      expect((json(error) as { errorMessage: string }).errorMessage).toMatch(
        new RegExp(`^response payload of ${SIX_MB + 1} bytes is larger`),
      );
      expect((await api.invoke({ op: 'echo', after: 413 })).body.toString()).toBe('{"op":"echo","after":413}');
    });

    it('writes nothing to stdout or stderr for successful invocations', () => {
      const out = runtime
        .stdout()
        .split('\n')
        .filter((l) => l !== '' && !l.includes('Invoke Error'));
      expect(out).toEqual([]);
      expect(runtime.stderr()).toBe('');
    });
  });

  // Node 24 follows nodejs24.x (aws-lambda-ric 4.x): a handler taking a callback is refused at init.
  if (nodeMajor(node) >= 24)
    describe('callback handler on Node 24+', () => {
      it('is refused at init with Runtime.CallbackHandlerDeprecated', async () => {
        const api = await RuntimeApiServer.start();
        const root = writeTaskRoot({ 'index.js': callbackHandler });
        const runtime = startRuntime({ node: node.path, api: api.address, taskRoot: root, handler: 'index.handler' });
        try {
          const received = await api.whenInitError();
          expect(received.headers['lambda-runtime-function-error-type']).toBe('Runtime.CallbackHandlerDeprecated');
          expect(JSON.parse(received.body.toString()).errorMessage).toMatch(
            /removed support for callback-based function handlers starting with Node.js 24/,
          );
        } finally {
          await runtime.stop();
          await api.close();
          removeTaskRoot(root);
        }
      });

      it('posts a synchronous return value as the result and gives the context no succeed/fail/done', async () => {
        const api = await RuntimeApiServer.start();
        const root = writeTaskRoot({
          'index.js': 'exports.handler = (event, context) => ({ sync: event.n, succeed: typeof context.succeed });',
        });
        const runtime = startRuntime({ node: node.path, api: api.address, taskRoot: root, handler: 'index.handler' });
        try {
          expect(json(await api.invoke({ n: 7 }))).toEqual({ sync: 7, succeed: 'undefined' });
        } finally {
          await runtime.stop();
          await api.close();
          removeTaskRoot(root);
        }
      });
    });

  if (nodeMajor(node) < 24)
    describe('callback handler', () => {
      let api: RuntimeApiServer;
      let runtime: RuntimeProcess;
      let root: string;

      beforeAll(async () => {
        api = await RuntimeApiServer.start();
        root = writeTaskRoot({ 'index.js': callbackHandler });
        runtime = startRuntime({
          node: node.path,
          api: api.address,
          taskRoot: root,
          handler: 'index.handler',
          handlerAsArgument: true,
        });
      });

      afterAll(async () => {
        await runtime.stop();
        await api.close();
        removeTaskRoot(root);
      });

      it('waits for the event loop to empty before posting (callbackWaitsForEmptyEventLoop = true)', async () => {
        expect(json(await api.invoke({ op: 'waits' }))).toEqual({ timerRan: true });
      });

      it('posts at once when callbackWaitsForEmptyEventLoop = false', async () => {
        expect(json(await api.invoke({ op: 'no-wait' }))).toEqual({ timerRan: false });
      });

      it('counts only the first completion', async () => {
        expect(json(await api.invoke({ op: 'twice' }))).toBe('first');
        expect(json(await api.invoke({ op: 'callback-and-promise' }))).toBe('from callback');
        await api.whenWaitingForNext();
        const posts = api.received.filter((r) => r.method === 'POST');
        expect(posts.length).toBe(api.received.filter((r) => r.path.endsWith('/next')).length - 1);
      });

      it('reports callback(error) on /error', async () => {
        const outcome = await api.invoke({ op: 'error' });
        expect(outcome.headers['lambda-runtime-function-error-type']).toBe('Function.RangeError');
        expect(json(outcome)).toMatchObject({ errorType: 'RangeError', errorMessage: 'out of range' });
      });

      it('answers null, once the event loop is empty, for a handler that returns a non-promise and never calls back', async () => {
        const outcome = await api.invoke({ op: 'never' });
        expect(outcome.kind).toBe('response');
        expect(outcome.body.toString()).toBe('null');
      });

      it('supports context.succeed', async () => {
        expect(json(await api.invoke({ op: 'legacy-succeed' }))).toEqual({ legacy: true });
      });
    });

  describe('failures that end the process', () => {
    it('reports an uncaught exception as the failure of the invocation, then exits non-zero', async () => {
      const api = await RuntimeApiServer.start();
      const root = writeTaskRoot({
        'index.js': `exports.handler = () => { setTimeout(() => { throw new SyntaxError('late boom'); }, 5); return new Promise(() => {}); };`,
      });
      const runtime = startRuntime({ node: node.path, api: api.address, taskRoot: root, handler: 'index.handler' });
      const outcome = await api.invoke({});
      expect(outcome.kind).toBe('error');
      expect(outcome.headers['lambda-runtime-function-error-type']).toBe('Function.SyntaxError');
      expect(json(outcome)).toMatchObject({ errorType: 'SyntaxError', errorMessage: 'late boom' });
      const exit = await runtime.exited;
      expect(exit.code).not.toBe(0);
      expect(exit.stdout).toContain('Uncaught Exception');
      await api.close();
      removeTaskRoot(root);
    });

    it('reports an unhandled rejection as Runtime.UnhandledPromiseRejection, then exits non-zero', async () => {
      const api = await RuntimeApiServer.start();
      const root = writeTaskRoot({
        'index.js': `exports.handler = async () => { Promise.reject(new Error('nobody listens')); await new Promise((r) => setTimeout(r, 200)); return 'late'; };`,
      });
      const runtime = startRuntime({ node: node.path, api: api.address, taskRoot: root, handler: 'index.handler' });
      const outcome = await api.invoke({});
      expect(outcome.kind).toBe('error');
      expect(outcome.headers['lambda-runtime-function-error-type']).toBe('Runtime.UnhandledPromiseRejection');
      expect(json(outcome)).toMatchObject({
        errorType: 'Runtime.UnhandledPromiseRejection',
        errorMessage: 'Error: nobody listens',
      });
      expect((await runtime.exited).code).not.toBe(0);
      expect(api.received.filter((r) => r.method === 'POST')).toHaveLength(1);
      await api.close();
      removeTaskRoot(root);
    });

    it('exits non-zero when the API answers 500 (the environment is broken)', async () => {
      const api = await RuntimeApiServer.start({ postStatus: 500 });
      const root = writeTaskRoot({ 'index.js': `exports.handler = async () => 'ok';` });
      const runtime = startRuntime({ node: node.path, api: api.address, taskRoot: root, handler: 'index.handler' });
      await api.invoke({});
      const exit = await runtime.exited;
      expect(exit.code).toBe(1);
      expect(exit.stderr).toMatch(/answered 500 to \/response/);
      // Nothing after the refused post: at most the /next pipelined behind the /response reached the server.
      expect(api.received.filter((r) => r.method === 'POST')).toHaveLength(1);
      expect(api.received.filter((r) => r.path.endsWith('/next')).length).toBeLessThanOrEqual(2);
      await api.close();
      removeTaskRoot(root);
    });

    it('retries a refused connection briefly, then exits with a clear message', async () => {
      const api = await RuntimeApiServer.start();
      const address = api.address;
      await api.close();
      const root = writeTaskRoot({ 'index.js': `exports.handler = async () => 'ok';` });
      const exit = await startRuntime({ node: node.path, api: address, taskRoot: root, handler: 'index.handler' })
        .exited;
      expect(exit.code).toBe(1);
      expect(exit.stderr).toContain('ECONNREFUSED');
      removeTaskRoot(root);
    });

    it('exits with a clear message when AWS_LAMBDA_RUNTIME_API is missing', async () => {
      const root = writeTaskRoot({ 'index.js': `exports.handler = async () => 'ok';` });
      const exit = await startRuntime({ node: node.path, api: '', taskRoot: root, handler: 'index.handler' }).exited;
      expect(exit.code).toBe(1);
      expect(exit.stderr).toContain('AWS_LAMBDA_RUNTIME_API is not set');
      removeTaskRoot(root);
    });
  });
});
