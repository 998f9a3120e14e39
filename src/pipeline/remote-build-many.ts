// Many images on CodeBuild at once: one build per distinct image (repository and tag), all in parallel under a bound,
// each with its own progress step. For projects of many functions; the results come back in the requests' order.
import type { BuilderConfig } from '../config/builder.js';
import { formatDuration, type Output } from '../core/output.js';
import type { AwsTarget } from './aws-target.js';
import type { PipelineContext } from './context.js';
import type { PushedImage } from './push.js';
import { codebuildStep, type RemoteBuildRequest } from './remote-build.js';

export const DEFAULT_REMOTE_CONCURRENCY = 4;

/**
 * Builds every distinct image once (requests naming the same <repository>:<tag> share a build), at most
 * `concurrency` at a time. Every build runs to its end even when another fails; then the first failure is thrown.
 */
export async function codebuildMany(
  ctx: PipelineContext,
  target: AwsTarget,
  builder: BuilderConfig,
  requests: RemoteBuildRequest[],
  concurrency = DEFAULT_REMOTE_CONCURRENCY,
): Promise<PushedImage[]> {
  const keyOf = (request: RemoteBuildRequest) => `${request.repository.uri}:${request.tag}`;
  const distinct = new Map<string, RemoteBuildRequest>();
  for (const request of requests) if (!distinct.has(keyOf(request))) distinct.set(keyOf(request), request);
  const queue = [...distinct.entries()];
  const results = new Map<string, PromiseSettledResult<PushedImage>>();
  const worker = async () => {
    for (let next = queue.shift(); next; next = queue.shift()) {
      const [key, request] = next;
      if (ctx.signal.aborted) {
        results.set(key, { status: 'rejected', reason: ctx.signal.reason });
        continue;
      }
      try {
        const row = { ...ctx, out: rowOutput(ctx.out, request.config.functionName) };
        results.set(key, { status: 'fulfilled', value: await codebuildStep(row, target, builder, request) });
      } catch (reason) {
        results.set(key, { status: 'rejected', reason });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, distinct.size)) }, worker));
  const failed = [...results.values()].find((result) => result.status === 'rejected');
  if (failed) throw failed.reason;
  return requests.map((request) => {
    const result = results.get(keyOf(request));
    if (result?.status !== 'fulfilled') throw new Error(`no result for ${keyOf(request)}`);
    return result.value;
  });
}

/**
 * One build's share of the terminal while others run: its steps as plain lines named after the function (one
 * spinner per build would overwrite each other), its log lines with --verbose. A multi-row display can replace it.
 */
function rowOutput(out: Output, name: string): Output {
  return {
    ...out,
    async step(title, work) {
      const started = performance.now();
      out.info(`${name}: ${title} …`);
      try {
        const value = await work(() => undefined);
        out.info(`${name}: ✔ ${title} (${formatDuration(performance.now() - started)})`);
        return value;
      } catch (error) {
        out.info(`${name}: ✖ ${title}`);
        throw error;
      }
    },
    info: (line) => out.info(`${name}: ${line}`),
    warn: (line) => out.warn(`${name}: ${line}`),
    debug: (line) => out.debug(`${name}: ${line}`),
  };
}
