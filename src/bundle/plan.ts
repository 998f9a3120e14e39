// Decides whether `build` bundles the handler: a TS/JS entry file and no Dockerfile of the user's own.
import { stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { ResolvedConfig } from '../config/types.js';

/** Extensions a bundled entry may have, in the order they are looked for. */
export const ENTRY_EXTENSIONS = ['.ts', '.mts', '.cts', '.js', '.mjs'] as const;

export type BundlePlan =
  | { bundle: true; /** Absolute path of the entry file. */ entry: string; /** Module part of the handler, e.g. src/handler. */ modulePath: string; /** Export part, e.g. handler or nested.fn. */ exportPath: string }
  | { bundle: false; reason: string };

/** Splits `path/to/module.export[.nested]` at the first dot after the last slash. */
export function splitHandler(handler: string): { modulePath: string; exportPath: string } | undefined {
  const slash = handler.lastIndexOf('/');
  const dot = handler.indexOf('.', slash + 1);
  if (dot <= slash + 1 || dot === handler.length - 1) return undefined;
  return { modulePath: handler.slice(0, dot), exportPath: handler.slice(dot + 1) };
}

const isFile = (path: string) => stat(path).then((s) => s.isFile(), () => false);

/**
 * Bundle when the handler's module resolves to a .ts/.mts/.cts/.js/.mjs file in the context and neither
 * the config nor the context has a Dockerfile (a Dockerfile means the user decides what goes in the image).
 */
export async function planBundle(
  config: Pick<ResolvedConfig, 'handler' | 'context' | 'dockerfile'>,
  options: { bundle?: boolean; /** `tslambda bundle` bundles even inside a Dockerfile's build stage. */ ignoreDockerfile?: boolean } = {},
): Promise<BundlePlan> {
  if (options.bundle === false) return { bundle: false, reason: 'bundling turned off (--no-bundle)' };
  if (!options.ignoreDockerfile) {
    if (config.dockerfile) return { bundle: false, reason: `the config names a Dockerfile (${config.dockerfile})` };
    if (await isFile(join(config.context, 'Dockerfile'))) return { bundle: false, reason: 'the context has its own Dockerfile' };
  }
  const parts = splitHandler(config.handler);
  if (!parts || parts.modulePath.split('/').includes('..'))
    return { bundle: false, reason: `handler ${JSON.stringify(config.handler)} does not name a module and an export` };
  for (const extension of ENTRY_EXTENSIONS) {
    const entry = resolve(config.context, parts.modulePath + extension);
    if (await isFile(entry)) return { bundle: true, entry, ...parts };
  }
  return { bundle: false, reason: `no ${ENTRY_EXTENSIONS.join('/')} file for ${parts.modulePath} in the context` };
}
