// Reads a handler string the way Lambda's Node runtime does, finds its entry file in Lambda's order, and
// refuses, before anything is built, a handler that could never load (with the error Lambda would report).
import { createRequire } from 'node:module';
import { stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { ExitCode, UserError } from '../core/errors.js';

export interface HandlerParts {
  /** Folder part, e.g. src/api ('' at the task root). */
  moduleRoot: string;
  /** File part without extension, e.g. app. */
  moduleName: string;
  /** moduleRoot/moduleName. */
  modulePath: string;
  /** Export part, e.g. handler or nested.fn ('' for "index.", a property Lambda looks up like any other). */
  exportPath: string;
}

/** TypeScript sources first (tslambda compiles them), then the files Lambda itself tries, in its order. */
export const TS_EXTENSIONS = ['.ts', '.mts', '.cts'] as const;
export const LAMBDA_EXTENSIONS = ['', '.js', '.mjs', '.cjs'] as const;

export type EntryFile =
  | { kind: 'file' /** Absolute path. */; path: string; extension: string }
  /** A folder with an index, or a package in node_modules: Lambda's require() decides what loads. */
  | { kind: 'resolved'; path: string };

const malformed = (handler: string, why: string) =>
  new UserError(`Runtime.MalformedHandlerName: '${handler}' is not a valid handler name: ${why}`, {
    exitCode: ExitCode.usage,
    hint: 'set "handler" in lambda.config.json to path/to/module.export, e.g. src/app.handler for src/app.ts',
  });

/** The same split as the runtime loop (runtime/handler-loader.cjs): module at the first dot after the last slash. */
export function parseHandlerString(handler: string): HandlerParts {
  if (handler === '') throw malformed(handler, 'it is empty');
  if (handler.includes('..')) throw malformed(handler, "'..' is not allowed, handlers must stay inside the task root");
  const slash = handler.lastIndexOf('/');
  const moduleRoot = slash < 0 ? '' : handler.slice(0, slash);
  const match = /^([^.]*)\.(.*)$/.exec(handler.slice(slash + 1));
  if (!match) throw malformed(handler, 'use path/to/module.export');
  // Empty parts are not malformed to Lambda, so they are left to its lookups: an empty export name ("index.") is the
  // property "" (Runtime.HandlerNotFound, or exports['']), an empty module name (".handler", "src/.handler") the
  // folder itself, which require() loads by its index and import() refuses.
  const moduleName = match[1]!;
  return {
    moduleRoot,
    moduleName,
    modulePath: moduleRoot ? `${moduleRoot}/${moduleName}` : moduleName,
    exportPath: match[2]!,
  };
}

const isFile = (path: string) =>
  stat(path).then(
    (s) => s.isFile(),
    () => false,
  );
const exists = (path: string) =>
  stat(path).then(
    () => true,
    () => false,
  );

/** The file the handler loads from `root`, or undefined when Lambda would answer Runtime.ImportModuleError. */
export async function findEntry(root: string, parts: HandlerParts): Promise<EntryFile | undefined> {
  const base = resolve(root, parts.modulePath);
  for (const extension of [...TS_EXTENSIONS, ...LAMBDA_EXTENSIONS]) {
    if (await isFile(base + extension)) return { kind: 'file', path: base + extension, extension };
  }
  if (await exists(base)) return { kind: 'resolved', path: base };
  try {
    const require = createRequire(join(root, 'noop.js'));
    return {
      kind: 'resolved',
      path: require.resolve(parts.moduleName, { paths: [join(root, parts.moduleRoot), root] }),
    };
  } catch {
    return undefined;
  }
}

/** Finds the handler's entry or refuses the build with Lambda's error for a module that is not there. */
export async function requireEntry(root: string, handler: string): Promise<{ parts: HandlerParts; entry: EntryFile }> {
  const parts = parseHandlerString(handler);
  const entry = await findEntry(root, parts);
  if (!entry)
    throw new UserError(
      `Runtime.ImportModuleError: Error: Cannot find module '${parts.moduleName}' (handler ${handler}: no ${parts.modulePath}{${[...TS_EXTENSIONS, ...LAMBDA_EXTENSIONS.slice(1)].join(',')}} in ${root})`,
      {
        exitCode: ExitCode.buildFailed,
        hint: 'fix "handler" in lambda.config.json, or add the file; Lambda would fail every invocation with this error',
      },
    );
  return { parts, entry };
}
