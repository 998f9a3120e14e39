// The labels every image gets: what it is and which tslambda built it.
import { packageVersion } from '../core/version.js';
import type { ResolvedConfig } from '../config/types.js';

export function imageLabels(config: ResolvedConfig): Record<string, string> {
  // Nothing time-dependent here: an unchanged build must give the same image ID, so a deploy can skip it.
  return {
    'org.opencontainers.image.title': config.functionName,
    'dev.tslambda.version': packageVersion,
    'dev.tslambda.handler': config.handler,
    ...config.labels,
  };
}
