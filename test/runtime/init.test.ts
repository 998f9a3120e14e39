// Contract of the runtime loop at start-up: how a handler string resolves to a CommonJS or ES module, and what
// reaches /init/error (with which error type) when it cannot, on every Node version.
import { describe, expect, it } from 'vitest';
import { forEachNode, type NodeBinary } from './support/node-binaries.js';
import { RuntimeApiServer, type Received } from './support/runtime-api-server.js';
import { removeTaskRoot, startRuntime, writeTaskRoot, type Exit } from './support/runtime-process.js';

const reportFormat = `module.exports.handler = async () => ({ format: typeof require === 'function' ? 'cjs' : 'esm', file: __filename.split('/').pop() });`;
const esmReportFormat = `export const handler = async () => ({ format: typeof require === 'function' ? 'cjs' : 'esm', file: import.meta.url.split('/').pop() });`;

interface Started {
  api: RuntimeApiServer;
  root: string;
  invoke: () => Promise<unknown>;
  stop: () => Promise<Exit>;
}

async function start(
  node: NodeBinary,
  files: Record<string, string>,
  handler: string,
  env: Record<string, string> = {},
): Promise<Started> {
  const api = await RuntimeApiServer.start();
  const root = writeTaskRoot(files);
  const runtime = startRuntime({ node: node.path, api: api.address, taskRoot: root, handler, env });
  return {
    api,
    root,
    invoke: async () => JSON.parse((await api.invoke({})).body.toString()),
    stop: async () => {
      const exit = await runtime.stop();
      await api.close();
      removeTaskRoot(root);
      return exit;
    },
  };
}

async function initFailure(
  node: NodeBinary,
  files: Record<string, string>,
  handler: string,
): Promise<{ received: Received; body: Record<string, unknown>; exit: Exit; nexts: number }> {
  const api = await RuntimeApiServer.start();
  const root = writeTaskRoot(files);
  const runtime = startRuntime({ node: node.path, api: api.address, taskRoot: root, handler });
  const exit = await runtime.exited;
  const received = await api.whenInitError();
  const nexts = api.received.filter((r) => r.path.endsWith('/next')).length;
  await api.close();
  removeTaskRoot(root);
  return { received, body: JSON.parse(received.body.toString()), exit, nexts };
}

forEachNode(describe, describe.skip, it, (node) => {
  describe('module resolution', () => {
    const cases: Array<[string, Record<string, string>, string, { format: string; file: string }]> = [
      [
        '.js as CommonJS without "type"',
        { 'index.js': reportFormat },
        'index.handler',
        { format: 'cjs', file: 'index.js' },
      ],
      [
        '.js as ESM under "type": "module"',
        { 'index.js': esmReportFormat, 'package.json': '{"type":"module"}' },
        'index.handler',
        { format: 'esm', file: 'index.js' },
      ],
      ['.mjs', { 'app.mjs': esmReportFormat }, 'app.handler', { format: 'esm', file: 'app.mjs' }],
      [
        '.cjs under "type": "module"',
        { 'app.cjs': reportFormat, 'package.json': '{"type":"module"}' },
        'app.handler',
        { format: 'cjs', file: 'app.cjs' },
      ],
      ['an extensionless file', { app: reportFormat }, 'app.handler', { format: 'cjs', file: 'app' }],
      [
        '.js before .mjs',
        { 'app.js': reportFormat, 'app.mjs': esmReportFormat },
        'app.handler',
        { format: 'cjs', file: 'app.js' },
      ],
      [
        'a nested path and a nested export',
        { 'src/api/routes.js': `exports.users = { get: async () => ({ format: 'cjs', file: 'routes.js' }) };` },
        'src/api/routes.users.get',
        { format: 'cjs', file: 'routes.js' },
      ],
      [
        'the nearest package.json',
        { 'package.json': '{"type":"module"}', 'lib/package.json': '{}', 'lib/h.js': reportFormat },
        'lib/h.handler',
        { format: 'cjs', file: 'h.js' },
      ],
    ];
    for (const [name, files, handler, expected] of cases) {
      it(`loads ${name}`, async () => {
        const run = await start(node, files, handler);
        expect(await run.invoke()).toEqual(expected);
        await run.stop();
      });
    }

    it('finishes top-level await before asking for the first invocation', async () => {
      const run = await start(
        node,
        {
          'index.mjs': `globalThis.order = ['load']; await new Promise((r) => setTimeout(r, 50)); globalThis.order.push('ready'); export const handler = async () => globalThis.order;`,
        },
        'index.handler',
      );
      expect(await run.invoke()).toEqual(['load', 'ready']);
      await run.stop();
    });

    it('takes the handler from the first argument when _HANDLER is not set', async () => {
      const api = await RuntimeApiServer.start();
      const root = writeTaskRoot({ 'main.js': `exports.run = async () => 'from argv';` });
      const runtime = startRuntime({
        node: node.path,
        api: api.address,
        taskRoot: root,
        handler: 'main.run',
        handlerAsArgument: true,
      });
      expect((await api.invoke({})).body.toString()).toBe('"from argv"');
      await runtime.stop();
      await api.close();
      removeTaskRoot(root);
    });
  });

  describe('init errors', () => {
    it('reports a missing module as Runtime.ImportModuleError and exits non-zero without asking for work', async () => {
      const { received, body, exit, nexts } = await initFailure(node, { 'other.js': '' }, 'index.handler');
      expect(received.method).toBe('POST');
      expect(received.path).toBe('/2018-06-01/runtime/init/error');
      expect(received.headers['lambda-runtime-function-error-type']).toBe('Runtime.ImportModuleError');
      expect(body.errorType).toBe('Runtime.ImportModuleError');
      expect(body.errorMessage).toMatch(/Cannot find module/);
      expect(exit.code).not.toBe(0);
      expect(nexts).toBe(0);
    });

    // The official client wraps only require()'s MODULE_NOT_FOUND; import()'s ERR_MODULE_NOT_FOUND keeps its type.
    it("reports a missing import inside an ES module with Node's own error, as the official client does", async () => {
      const { body } = await initFailure(
        node,
        { 'index.mjs': `import './nope.mjs'; export const handler = () => 1;` },
        'index.handler',
      );
      expect(body.errorType).toBe('Error');
      expect(body.errorMessage).toMatch(/Cannot find module/);
    });

    it('reports a syntax error as Runtime.UserCodeSyntaxError', async () => {
      const broken: Array<Record<string, string>> = [
        { 'index.js': 'exports.handler = async () => {' },
        { 'index.mjs': 'export const handler = ;' },
      ];
      for (const files of broken) {
        const { received, body, exit } = await initFailure(node, files, 'index.handler');
        expect(received.headers['lambda-runtime-function-error-type']).toBe('Runtime.UserCodeSyntaxError');
        expect(body.errorMessage).toMatch(/^SyntaxError: /);
        expect(exit.code).not.toBe(0);
      }
    });

    it('reports a missing export and a non-function as Runtime.HandlerNotFound', async () => {
      const missing = await initFailure(node, { 'index.js': 'exports.other = () => 1;' }, 'index.handler');
      expect(missing.received.headers['lambda-runtime-function-error-type']).toBe('Runtime.HandlerNotFound');
      expect(missing.body.errorMessage).toBe('index.handler is undefined or not exported');
      const notFunction = await initFailure(node, { 'index.js': 'exports.handler = 42;' }, 'index.handler');
      expect(notFunction.body).toMatchObject({
        errorType: 'Runtime.HandlerNotFound',
        errorMessage: 'index.handler is not a function',
      });
    });

    it('reports malformed handler names, including ".." escapes, as Runtime.MalformedHandlerName', async () => {
      for (const handler of ['index', '../outside.handler', '']) {
        const { received, exit } = await initFailure(node, { 'index.js': 'exports.handler = () => 1;' }, handler);
        expect(received.headers['lambda-runtime-function-error-type'], handler).toBe('Runtime.MalformedHandlerName');
        expect(exit.code).not.toBe(0);
      }
    });

    it('reports an error thrown while the module loads with its own type', async () => {
      const { received, body } = await initFailure(
        node,
        { 'index.js': `throw new RangeError('config missing');` },
        'index.handler',
      );
      expect(received.headers['lambda-runtime-function-error-type']).toBe('Function.RangeError');
      expect(body).toMatchObject({ errorType: 'RangeError', errorMessage: 'config missing' });
      expect((body.trace as string[])[0]).toBe('RangeError: config missing');
      expect((body.trace as string[])[1]).toMatch(/index\.js/);
    });

    it('reports a rejected top-level await and an unhandled rejection during init', async () => {
      const tla = await initFailure(
        node,
        { 'index.mjs': `await Promise.reject(new TypeError('no db')); export const handler = () => 1;` },
        'index.handler',
      );
      expect(tla.body).toMatchObject({ errorType: 'TypeError', errorMessage: 'no db' });
      const unhandled = await initFailure(
        node,
        { 'index.js': `Promise.reject(new Error('stray')); exports.handler = () => 1; setTimeout(() => {}, 1000);` },
        'index.handler',
      );
      expect(unhandled.received.headers['lambda-runtime-function-error-type']).toBe(
        'Runtime.UnhandledPromiseRejection',
      );
    });
  });
});
