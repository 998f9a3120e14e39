// Writes a small TypeScript function project into a temporary folder: a pure package to bundle, a native
// addon package (compiled here with the C compiler against Node's own headers) and a package the config excludes.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/** The line of src/handler.ts that throws; the source-map test expects stack traces to point at it. */
export const THROW_LINE = 9;

const HANDLER = `import { shout } from 'pure-lib';
import { greet } from 'native-greeter';
import { tag } from 'configured-ext';
import type { Handler } from '../../types.js';

export const handler: Handler<{ name?: string; fail?: boolean }, string> = async (event) => {
  const name = event.name ?? 'world';
  if (event.fail) {
    throw new TypeError(\`refusing \${name}\`);
  }
  return tag(shout(greet(name)));
};
`;

const ADDON_C = `#include <node_api.h>
#include <stdio.h>
static napi_value Greet(napi_env env, napi_callback_info info) {
  size_t argc = 1; napi_value argv[1]; char name[64] = {0}; size_t len = 0; char out[96];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  napi_get_value_string_utf8(env, argv[0], name, sizeof name, &len);
  snprintf(out, sizeof out, "hello %s from C", name);
  napi_value result; napi_create_string_utf8(env, out, NAPI_AUTO_LENGTH, &result);
  return result;
}
NAPI_MODULE_INIT() {
  napi_value fn; napi_create_function(env, "greet", NAPI_AUTO_LENGTH, Greet, NULL, &fn);
  napi_set_named_property(env, exports, "greet", fn);
  return exports;
}
`;

/** Where Node's headers are: the ones shipped with the running node, else the system's. */
export function nodeHeaders(): string | undefined {
  const candidates = [
    join(dirname(dirname(process.execPath)), 'include', 'node'),
    '/usr/include/node',
    '/usr/local/include/node',
  ];
  return candidates.find((dir) => existsSync(join(dir, 'node_api.h')));
}

export function hasCompiler(): boolean {
  try {
    execFileSync('cc', ['--version'], { stdio: 'ignore' });
    return nodeHeaders() !== undefined;
  } catch {
    return false;
  }
}

async function put(root: string, path: string, content: string) {
  await mkdir(dirname(join(root, path)), { recursive: true });
  await writeFile(join(root, path), content);
}

export async function createFixtureProject(): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'tslambda-bundle-'));
  await put(
    root,
    'package.json',
    JSON.stringify({
      name: 'fixture-fn',
      private: true,
      dependencies: { 'pure-lib': '1.0.0', 'native-greeter': '1.0.0', 'configured-ext': '1.0.0' },
    }),
  );
  await put(root, 'src/handler.ts', HANDLER);
  // The handler imports its types the way a user's would; a stand-in keeps the fixture self-contained.
  await put(root, 'types.ts', 'export type Handler<E, R> = (event: E) => Promise<R>;\n');
  await put(
    root,
    'node_modules/pure-lib/package.json',
    JSON.stringify({ name: 'pure-lib', version: '1.0.0', type: 'module', main: 'index.js' }),
  );
  await put(
    root,
    'node_modules/pure-lib/index.js',
    "export const shout = (s) => s.toUpperCase() + '!';\nexport const neverUsed = () => 'TREE_SHAKEN_AWAY';\n",
  );
  await put(
    root,
    'node_modules/configured-ext/package.json',
    JSON.stringify({ name: 'configured-ext', version: '1.0.0', main: 'index.js' }),
  );
  await put(root, 'node_modules/configured-ext/index.js', "exports.tag = (s) => '[' + s + ']';\n");
  await put(
    root,
    'node_modules/native-greeter/package.json',
    JSON.stringify({
      name: 'native-greeter',
      version: '1.0.0',
      main: 'index.js',
      dependencies: { 'greeter-helper': '1.0.0' },
    }),
  );
  await put(
    root,
    'node_modules/native-greeter/binding.gyp',
    "{ 'targets': [{ 'target_name': 'greeter', 'sources': ['greeter.c'] }] }\n",
  );
  await put(root, 'node_modules/native-greeter/greeter.c', ADDON_C);
  await put(
    root,
    'node_modules/native-greeter/index.js',
    "const { suffix } = require('greeter-helper');\nconst addon = require('./build/Release/greeter.node');\nexports.greet = (name) => addon.greet(name) + suffix;\n",
  );
  await put(
    root,
    'node_modules/greeter-helper/package.json',
    JSON.stringify({ name: 'greeter-helper', version: '1.0.0', main: 'index.js' }),
  );
  await put(root, 'node_modules/greeter-helper/index.js', "exports.suffix = ' (native)';\n");
  await mkdir(join(root, 'node_modules/native-greeter/build/Release'), { recursive: true });
  const headers = nodeHeaders();
  if (headers) {
    execFileSync('cc', [
      '-shared',
      '-fPIC',
      '-O2',
      `-I${headers}`,
      '-o',
      join(root, 'node_modules/native-greeter/build/Release/greeter.node'),
      join(root, 'node_modules/native-greeter/greeter.c'),
    ]);
  }
  return root;
}
