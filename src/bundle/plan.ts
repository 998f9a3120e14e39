// Decides how a handler is shipped: bundled (a TS/JS entry file, no Dockerfile of the user's) or as it is;
// a handler that could never load is refused here, before anything is built.
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { ExitCode, UserError } from '../core/errors.js';
import type { ResolvedConfig } from '../config/types.js';
import type { ModuleFormat } from './fidelity.js';
import { chooseOutputFormat } from './bundle.js';
import { requireEntry } from './handler-check.js';

export type BundlePlan =
  | {
      bundle: true;
      /** Absolute path of the entry file. */ entry: string;
      /** Module part of the handler, e.g. src/handler. */ modulePath: string;
      /** Export part, e.g. handler or nested.fn. */ exportPath: string;
      /** The entry's module format, which the bundle keeps. */ format: ModuleFormat;
    }
  | {
      bundle: false;
      reason: string /** The handler itself cannot be bundled faithfully: say so, not only in --verbose. */;
      announce?: true;
    };

const isFile = (path: string) =>
  stat(path).then(
    (s) => s.isFile(),
    () => false,
  );

/**
 * Bundle when the handler's module is a .ts/.mts/.cts/.js/.mjs/.cjs file in the context and neither the
 * config nor the context has a Dockerfile (a Dockerfile means the user decides what goes in the image).
 * Throws Lambda's init error (Runtime.MalformedHandlerName, Runtime.ImportModuleError) for a handler that
 * cannot load, with or without bundling.
 */
export async function planBundle(
  config: Pick<ResolvedConfig, 'handler' | 'context' | 'dockerfile'>,
  options: {
    bundle?: boolean /** `tslambda bundle` bundles even inside a Dockerfile's build stage. */;
    ignoreDockerfile?: boolean;
  } = {},
): Promise<BundlePlan> {
  if (!options.ignoreDockerfile) {
    if (config.dockerfile) return { bundle: false, reason: `the config names a Dockerfile (${config.dockerfile})` };
    if (await isFile(join(config.context, 'Dockerfile')))
      return { bundle: false, reason: 'the context has its own Dockerfile' };
  }
  const { parts, entry } = await requireEntry(config.context, config.handler);
  if (options.bundle === false) {
    if (entry.kind === 'file' && entry.extension.endsWith('ts'))
      throw new UserError(
        `Runtime.ImportModuleError: Error: Cannot find module '${parts.moduleName}' (with --no-bundle, ${parts.modulePath}${entry.extension} is TypeScript, which Lambda's Node runtime does not load)`,
        {
          exitCode: ExitCode.buildFailed,
          hint: 'drop --no-bundle, or point "handler" at the compiled .js file',
        },
      );
    return { bundle: false, reason: 'bundling turned off (--no-bundle)' };
  }
  if (entry.kind !== 'file')
    return {
      bundle: false,
      reason: `${parts.modulePath} is a folder or a package, which Lambda loads with require()`,
      announce: true,
    };
  if (entry.extension === '')
    return {
      bundle: false,
      reason: `${parts.modulePath} has no extension, which Lambda loads by its own rules`,
      announce: true,
    };
  return {
    bundle: true,
    entry: entry.path,
    modulePath: parts.modulePath,
    exportPath: parts.exportPath,
    format: await chooseOutputFormat(entry.path),
  };
}
