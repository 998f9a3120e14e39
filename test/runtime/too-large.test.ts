// A result the Runtime API refuses with 413: the invocation is reported failed on /error as
// Function.ResponseSizeTooLarge, whether or not GET /next was already pipelined behind the /response, and a 403 to
// that /error (the API already failed the invocation on its own 413, as Lambda's does) is expected, not logged.
import { describe, expect, it } from 'vitest';
import type { Socket } from 'node:net';
import { forEachNode, type NodeBinary } from './support/node-binaries.js';
import { ACCEPTED, RawRuntimeApi, invocationHead, type Script } from './support/raw-runtime-api.js';
import { removeTaskRoot, startRuntime, writeTaskRoot, type Exit } from './support/runtime-process.js';

const EVENT = '{"small":true}';
const TOO_LARGE =
  '{"errorMessage":"Exceeded maximum allowed payload size (6291456 bytes).","errorType":"RequestEntityTooLarge"}';
const REFUSED = `HTTP/1.1 413 Payload Too Large\r\nContent-Type: application/json\r\nContent-Length: ${TOO_LARGE.length}\r\n\r\n${TOO_LARGE}`;
const STATE = '{"errorMessage":"invocation r1 has ended","errorType":"InvalidStateTransition"}';
const FORBIDDEN = `HTTP/1.1 403 Forbidden\r\nContent-Type: application/json\r\nContent-Length: ${STATE.length}\r\n\r\n${STATE}`;

const invocation = (id: string) => `${invocationHead(id)}Content-Length: ${EVENT.length}\r\n\r\n${EVENT}`;
const summary = (api: RawRuntimeApi) => api.requests.map((r) => `${r.method} ${r.path.split('/').slice(-2).join('/')}`);

async function run(
  node: NodeBinary,
  handler: string,
  script: Script,
  untilRequests: number,
): Promise<{ api: RawRuntimeApi; exit: Exit }> {
  const api = await RawRuntimeApi.start(script);
  const root = writeTaskRoot({ 'index.js': handler });
  const runtime = startRuntime({ node: node.path, api: api.address, taskRoot: root, handler: 'index.handler' });
  await Promise.race([api.whenRequests(untilRequests), runtime.exited, new Promise((r) => setTimeout(r, 30_000))]);
  const exit = await runtime.stop();
  await api.close();
  removeTaskRoot(root);
  return { api, exit };
}

forEachNode(describe, describe.skip, it, (node) => {
  describe('a result refused with 413', () => {
    it('reports a 413 to a small pipelined /response on /error, while the /next already asked for waits for that report', async () => {
      // Like an API that holds the next invocation until the refused one is reported.
      let heldNext: Socket | null = null;
      let nexts = 0;
      const script: Script = (request, socket) => {
        if (request.path.endsWith('/next')) {
          nexts++;
          if (nexts === 1) socket.write(invocation('r1'));
          else if (nexts === 2) heldNext = socket;
        } else if (request.path.endsWith('/r1/response')) socket.write(REFUSED);
        else if (request.path.endsWith('/r1/error')) {
          socket.write(ACCEPTED);
          heldNext?.write(invocation('r2'));
        } else socket.write(ACCEPTED);
      };
      const { api, exit } = await run(node, `exports.handler = async (event) => event;`, script, 6);
      expect(summary(api)).toEqual([
        'GET invocation/next',
        'POST r1/response',
        'GET invocation/next',
        'POST r1/error',
        'POST r2/response',
        'GET invocation/next',
      ]);
      const error = api.requests[3];
      expect(error.headers['lambda-runtime-function-error-type']).toBe('Function.ResponseSizeTooLarge');
      expect(JSON.parse(error.body.toString())).toMatchObject({ errorType: 'Function.ResponseSizeTooLarge' });
      expect(JSON.parse(error.body.toString()).errorMessage).toContain(`${EVENT.length} bytes`);
      expect(error.connection).not.toBe(api.requests[2].connection);
      expect(api.requests[4].body.toString()).toBe(EVENT);
      expect(exit.stderr).not.toMatch(/tslambda runtime:/);
    });

    it('takes a 403 to the /error that follows a 413 (the API already failed the invocation) as expected, and goes on', async () => {
      // Over the 32 K characters that were once posted alone; the test API refuses it whatever its size.
      const large = `exports.handler = async (event) => event.small ? event : 'x'.repeat(1024 * 1024);`;
      let nexts = 0;
      const script: Script = (request, socket) => {
        if (request.path.endsWith('/next')) {
          nexts++;
          if (nexts === 1) socket.write(`${invocationHead('r1')}Content-Length: 2\r\n\r\n{}`);
          else if (nexts === 2) socket.write(invocation('r2'));
        } else if (request.path.endsWith('/r1/response')) socket.write(REFUSED);
        else if (request.path.endsWith('/r1/error')) socket.write(FORBIDDEN);
        else socket.write(ACCEPTED);
      };
      const { api, exit } = await run(node, large, script, 6);
      const posts = summary(api).filter((r) => r.startsWith('POST'));
      // The /error may come on its own connection, so it and the next invocation's answer arrive in either order.
      expect(posts.sort()).toEqual(['POST r1/error', 'POST r1/response', 'POST r2/response']);
      const error = api.requests.find((r) => r.path.endsWith('/r1/error'))!;
      expect(error.headers['lambda-runtime-function-error-type']).toBe('Function.ResponseSizeTooLarge');
      // The size named is the posted body's: the JSON string, its quotes included.
      const posted = api.requests.find((r) => r.path.endsWith('/r1/response'))!;
      expect(posted.body.length).toBe(1024 * 1024 + 2);
      expect(JSON.parse(error.body.toString()).errorMessage).toContain(`${1024 * 1024 + 2} bytes`);
      expect(api.requests.find((r) => r.path.endsWith('/r2/response'))!.body.toString()).toBe(EVENT);
      expect(exit.stderr).not.toMatch(/tslambda runtime:/);
      expect(exit.code).toBeNull(); // still serving when stopped
    });
  });
});
