// The handler shapes of issue 9, each a small folder: what a user writes for AWS's Node runtime, unchanged.
// `response` is what the official client answers (checked against the unbundled runtime loop as well);
// `refused` is the error a handler that can never load is refused with before anything is built.

export interface Shape {
  name: string;
  files: Record<string, string>;
  handler: string;
  event?: unknown;
  /** The exact response bytes. */
  response?: string;
  /** The error type of a failed invocation (init or handler). */
  errorType?: string;
  /** Refused before building: the exit code and the Lambda error the line names. */
  refused?: {
    exitCode: number;
    error: string /** What the refusing line says, when not the error's name (config validation). */;
    line?: string;
  };
  /** Bundling keeps this shape only by shipping it unbundled (the line says so). */
  unbundled?: RegExp;
}

const TYPE_MODULE = JSON.stringify({ type: 'module' });
const TYPE_COMMONJS = JSON.stringify({ type: 'commonjs' });
const DATA = 'beside the code\n';

export const SHAPES: Shape[] = [
  // CommonJS
  {
    name: 'cjs exports.handler (the README example)',
    files: { 'index.js': 'exports.handler = async (event) => ({ ok: true, got: event })\n' },
    handler: 'index.handler',
    event: { a: 1 },
    response: '{"ok":true,"got":{"a":1}}',
  },
  {
    name: 'cjs module.exports = { handler }',
    files: { 'index.js': "const handler = async (e) => ({ shape: 'object', e });\nmodule.exports = { handler };\n" },
    handler: 'index.handler',
    event: { a: 2 },
    response: '{"shape":"object","e":{"a":2}}',
  },
  {
    name: 'cjs module.exports.handler =',
    files: { 'index.js': "module.exports.handler = async () => 'm.e.h';\n" },
    handler: 'index.handler',
    response: '"m.e.h"',
  },
  {
    name: 'cjs class instance method',
    files: {
      'index.js': "class Service { async handler(e) { return 'method:' + e.a; } }\nmodule.exports = new Service();\n",
    },
    handler: 'index.handler',
    event: { a: 3 },
    response: '"method:3"',
  },
  // ESM
  {
    name: 'esm .mjs',
    files: { 'index.mjs': 'export const handler = async (e) => ({ esm: true, e });\n' },
    handler: 'index.handler',
    event: { a: 4 },
    response: '{"esm":true,"e":{"a":4}}',
  },
  {
    name: 'esm .js under type module',
    files: { 'package.json': TYPE_MODULE, 'index.js': "export const handler = async () => 'type module';\n" },
    handler: 'index.handler',
    response: '"type module"',
  },
  {
    name: 'cjs .cjs under type module',
    files: { 'package.json': TYPE_MODULE, 'index.cjs': "exports.handler = async () => 'cjs in module scope';\n" },
    handler: 'index.handler',
    response: '"cjs in module scope"',
  },
  {
    name: 'esm default plus named exports',
    files: {
      'index.mjs': "export default { handler: async () => 'default' };\nexport const handler = async () => 'named';\n",
    },
    handler: 'index.handler',
    response: '"named"',
  },
  // Handler strings
  {
    name: 'handler in src/app',
    files: { 'src/app.js': "exports.handler = async () => 'src/app';\n" },
    handler: 'src/app.handler',
    response: '"src/app"',
  },
  {
    name: 'handler in a/b/c',
    files: { 'a/b/c.mjs': "export const handler = async () => 'a/b/c';\n" },
    handler: 'a/b/c.handler',
    response: '"a/b/c"',
  },
  {
    name: 'nested export index.nested.fn',
    files: { 'index.js': "exports.nested = { fn: async () => 'nested' };\n" },
    handler: 'index.nested.fn',
    response: '"nested"',
  },
  // Completion styles
  {
    name: 'callback',
    files: { 'index.js': 'exports.handler = (e, context, callback) => callback(null, { cb: e.a });\n' },
    handler: 'index.handler',
    event: { a: 5 },
    response: '{"cb":5}',
  },
  {
    name: 'context.succeed',
    files: { 'index.js': "exports.handler = (e, context) => { context.succeed('succeeded'); };\n" },
    handler: 'index.handler',
    response: '"succeeded"',
  },
  {
    name: 'context.fail',
    files: { 'index.js': "exports.handler = (e, context) => { context.fail(new TypeError('failed on purpose')); };\n" },
    handler: 'index.handler',
    errorType: 'TypeError',
  },
  {
    name: 'context.done',
    files: { 'index.js': "exports.handler = (e, context) => { context.done(null, 'done'); };\n" },
    handler: 'index.handler',
    response: '"done"',
  },
  {
    name: 'async throw',
    files: { 'index.js': "exports.handler = async () => { throw new RangeError('out of range'); };\n" },
    handler: 'index.handler',
    errorType: 'RangeError',
  },
  { name: 'sync value', files: { 'index.js': "exports.handler = () => 'sync';\n" }, handler: 'index.handler' },
  {
    name: 'non-JSON values',
    files: {
      'index.js':
        'exports.handler = async () => ({ when: new Date(0), map: new Map([[1, 2]]), missing: undefined });\n',
    },
    handler: 'index.handler',
    response: '{"when":"1970-01-01T00:00:00.000Z","map":{}}',
  },
  {
    name: 'undefined result',
    files: { 'index.js': 'exports.handler = async () => undefined;\n' },
    handler: 'index.handler',
  },
  {
    name: 'top-level await',
    files: {
      'index.mjs':
        "const ready = await new Promise((r) => setTimeout(() => r('awaited'), 10));\nexport const handler = async () => ready;\n",
    },
    handler: 'index.handler',
    response: '"awaited"',
  },
  // Init failures
  {
    name: 'throws at load',
    files: { 'index.js': "throw new SyntaxError('thrown, not parsed');\n" },
    handler: 'index.handler',
    errorType: 'Runtime.UserCodeSyntaxError',
  },
  {
    name: 'throws an Error at load',
    files: { 'index.js': "throw new Error('boom at load');\n" },
    handler: 'index.handler',
    errorType: 'Error',
  },
  {
    name: 'cjs missing export',
    files: { 'index.js': "exports.other = async () => 'other';\n" },
    handler: 'index.handler',
    errorType: 'Runtime.HandlerNotFound',
  },
  {
    name: 'esm missing export',
    files: { 'index.mjs': "export const other = async () => 'other';\n" },
    handler: 'index.handler',
    refused: { exitCode: 4, error: 'Runtime.HandlerNotFound' },
  },
  {
    name: 'syntax error',
    files: { 'index.js': 'exports.handler = (;\n' },
    handler: 'index.handler',
    refused: { exitCode: 4, error: 'Runtime.UserCodeSyntaxError' },
  },
  {
    name: 'missing module file',
    files: { 'other.js': '' },
    handler: 'index.handler',
    refused: { exitCode: 4, error: 'Runtime.ImportModuleError' },
  },
  {
    name: 'missing required module',
    files: { 'index.js': "const gone = require('./gone');\nexports.handler = async () => gone;\n" },
    handler: 'index.handler',
    refused: { exitCode: 4, error: 'Runtime.ImportModuleError' },
  },
  {
    name: 'handler path with ..',
    files: { 'index.js': "exports.handler = async () => 'up';\n" },
    handler: '../index.handler',
    refused: { exitCode: 2, error: 'Runtime.MalformedHandlerName' },
  },
  {
    name: 'malformed handler string',
    files: { 'index.js': "exports.handler = async () => 'x';\n" },
    handler: 'index',
    refused: {
      exitCode: 2,
      error: 'Runtime.MalformedHandlerName',
      line: 'handler: expected a handler such as "index.handler"',
    },
  },
  // Files and dependencies
  {
    name: 'reads a file by __dirname',
    files: {
      'src/data.txt': DATA,
      'src/app.js':
        "const fs = require('fs');\nconst path = require('path');\nexports.handler = async () => fs.readFileSync(path.join(__dirname, 'data.txt'), 'utf8');\n",
    },
    handler: 'src/app.handler',
    response: JSON.stringify(DATA),
    unbundled: /locates files beside its code/,
  },
  {
    name: 'reads a file by import.meta.url',
    files: {
      'data.txt': DATA,
      'lib/read.mjs':
        "import { readFileSync } from 'node:fs';\nexport const read = () => readFileSync(new URL('../data.txt', import.meta.url), 'utf8');\n",
      'index.mjs': "import { read } from './lib/read.mjs';\nexport const handler = async () => read();\n",
    },
    handler: 'index.handler',
    response: JSON.stringify(DATA),
    unbundled: /lib\/read.mjs locates files/,
  },
  {
    name: 'reads a file under LAMBDA_TASK_ROOT',
    files: {
      'data.txt': DATA,
      'index.js':
        "const fs = require('fs');\nexports.handler = async () => fs.readFileSync(process.env.LAMBDA_TASK_ROOT + '/data.txt', 'utf8');\n",
    },
    handler: 'index.handler',
    response: JSON.stringify(DATA),
    unbundled: /locates files/,
  },
  {
    name: 'dynamic require of a path',
    files: {
      'plugins/a.js': "module.exports = 'plugin a';\n",
      'index.js': "exports.handler = async (e) => require('./plugins/' + e.p);\n",
    },
    handler: 'index.handler',
    event: { p: 'a' },
    response: '"plugin a"',
    unbundled: /computed name/,
  },
  {
    name: 'JSON require',
    files: {
      'config.json': '{"stage":"dev"}',
      'index.js': "const config = require('./config.json');\nexports.handler = async () => config.stage;\n",
    },
    handler: 'index.handler',
    response: '"dev"',
  },
  {
    name: 'CommonJS package in node_modules',
    files: {
      'node_modules/cjs-pkg/package.json': JSON.stringify({ name: 'cjs-pkg', main: 'lib/main.js' }),
      'node_modules/cjs-pkg/lib/main.js': 'exports.twice = (n) => n * 2;\n',
      'index.js': "const { twice } = require('cjs-pkg');\nexports.handler = async (e) => twice(e.n);\n",
    },
    handler: 'index.handler',
    event: { n: 8 },
    response: '16',
  },
  {
    name: 'ESM package in node_modules',
    files: {
      'node_modules/esm-pkg/package.json': JSON.stringify({ name: 'esm-pkg', type: 'module', exports: './index.js' }),
      'node_modules/esm-pkg/index.js': 'export const triple = (n) => n * 3;\n',
      'index.mjs': "import { triple } from 'esm-pkg';\nexport const handler = async (e) => triple(e.n);\n",
    },
    handler: 'index.handler',
    event: { n: 3 },
    response: '9',
  },
  {
    name: 'package with a "module" field Node ignores',
    files: {
      'node_modules/dual/package.json': JSON.stringify({ name: 'dual', main: 'cjs.js', module: 'esm.js' }),
      'node_modules/dual/cjs.js': "exports.which = 'main';\n",
      'node_modules/dual/esm.js': "export const which = 'module';\n",
      'index.js': "exports.handler = async () => require('dual').which;\n",
    },
    handler: 'index.handler',
    response: '"main"',
  },
  {
    name: 'optional dependency not installed',
    files: {
      'index.js':
        "let optional = 'absent';\ntry { optional = require('not-installed-anywhere'); } catch { }\nexports.handler = async () => optional;\n",
    },
    handler: 'index.handler',
    response: '"absent"',
  },
  {
    name: 'peer dependency',
    files: {
      'node_modules/peer-user/package.json': JSON.stringify({
        name: 'peer-user',
        peerDependencies: { 'the-peer': '*' },
      }),
      'node_modules/peer-user/index.js': "module.exports = () => require('the-peer') + ' via peer';\n",
      'node_modules/the-peer/package.json': JSON.stringify({ name: 'the-peer' }),
      'node_modules/the-peer/index.js': "module.exports = 'peer';\n",
      'index.js': "exports.handler = async () => require('peer-user')();\n",
    },
    handler: 'index.handler',
    response: '"peer via peer"',
  },
  // What esbuild would change: kept by shipping unbundled, so each fails or runs exactly as on Lambda.
  {
    name: 'ESM syntax in a .js under type commonjs',
    files: { 'package.json': TYPE_COMMONJS, 'index.js': "export const handler = async () => 'esm in cjs';\n" },
    handler: 'index.handler',
    errorType: 'Runtime.UserCodeSyntaxError',
    unbundled: /import\/export in a CommonJS file/,
  },
  {
    name: 'require in an .mjs',
    files: { 'index.mjs': "const os = require('os');\nexport const handler = async () => typeof os;\n" },
    handler: 'index.handler',
    errorType: 'ReferenceError',
    unbundled: /require\(\) in an ES module/,
  },
  {
    name: 'root "type" does not reach into node_modules',
    files: {
      'package.json': TYPE_MODULE,
      'node_modules/legacy/package.json': JSON.stringify({ name: 'legacy' }),
      'node_modules/legacy/index.js': "module.exports = { kind: 'commonjs' };\n",
      'index.js': "import legacy from 'legacy';\nexport const handler = async () => legacy.kind;\n",
    },
    handler: 'index.handler',
    response: '"commonjs"',
  },
  {
    name: 'extensionless file comes first',
    files: {
      index: "exports.handler = async () => 'extensionless';\n",
      'index.js': "exports.handler = async () => 'dot js';\n",
    },
    handler: 'index.handler',
    response: '"extensionless"',
    unbundled: /no extension/,
  },
];
