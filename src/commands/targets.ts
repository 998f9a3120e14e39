// What the commands that take many targets share: reading `[names…] --all --concurrency` against the project, and
// rendering a run's results (one line per target, a summary, JSON) with the exit code that says "some failed".
import { resolveBuilder, type BuilderType } from '../config/builder.js';
import { ExitCode, UserError, isUserError } from '../core/errors.js';
import { formatDuration } from '../core/output.js';
import type { TargetResult } from '../pipeline/run-many.js';
import type { Target } from '../pipeline/targets.js';
import type { CommandContext } from './types.js';

export interface TargetFlags {
  names?: string[];
  all: boolean;
  concurrency?: number;
}

/** The targets the flags pick (function × region), from the whole project. */
export async function loadTargets(ctx: CommandContext, args: TargetFlags): Promise<Target[]> {
  const [{ selectTargets }, project] = await Promise.all([import('../pipeline/targets.js'), ctx.loadProject()]);
  return selectTargets(project.functions, { names: args.names, all: args.all });
}

/** --builder over each target's config "builder" (a CodeBuild builder without a bucket stops here, before any work). */
export function withBuilder(targets: Target[], flag: BuilderType | undefined): Target[] {
  return targets.map((target) => ({
    ...target,
    config: { ...target.config, builder: resolveBuilder(target.config.builder, flag) },
  }));
}

export async function concurrencyOf(args: TargetFlags): Promise<number> {
  return args.concurrency ?? (await import('../pipeline/run-many.js')).defaultConcurrency();
}

const reasonOf = (error: unknown) =>
  isUserError(error) ? error.message.split('\n')[0]! : error instanceof Error ? error.message : String(error);
const exitCodeOf = (error: unknown) => (isUserError(error) ? error.exitCode : ExitCode.unexpected);

/**
 * Prints every target's outcome and the summary (or one JSON object), then fails with "some targets failed"
 * (naming them) when any failed or never started. `line` and `json` describe a succeeded target.
 */
export function renderTargets<T>(
  ctx: CommandContext,
  command: string,
  verb: string,
  results: Array<TargetResult<T>>,
  describe: { line(value: T): string; json(value: T): Record<string, unknown> },
): void {
  const succeeded = results.filter((r) => r.status === 'succeeded');
  const failed = results.filter((r) => r.status === 'failed');
  const notStarted = results.filter((r) => r.status === 'not started');
  const width = Math.max(...results.map((r) => r.target.label.length));
  const lines = results.map((r) => {
    const label = r.target.label.padEnd(width);
    if (r.status === 'succeeded') return `  ✔ ${label}  ${describe.line(r.value)} (${formatDuration(r.durationMs)})`;
    if (r.status === 'failed') return `  ✖ ${label}  failed: ${reasonOf(r.error)}`;
    return `  - ${label}  not started`;
  });
  const counts = `${succeeded.length} succeeded, ${failed.length} failed, ${notStarted.length} not started`;
  ctx.out.result([`${verb} ${results.length} targets: ${counts}`, ...lines].join('\n'), {
    ok: failed.length === 0 && notStarted.length === 0,
    targets: results.map((r) => ({
      target: r.target.label,
      function: r.target.functionKey,
      region: r.target.region ?? null,
      status: r.status,
      ...(r.status === 'succeeded' ? { ...describe.json(r.value), durationMs: Math.round(r.durationMs) } : {}),
      ...(r.status === 'failed'
        ? { error: { message: reasonOf(r.error), exitCode: exitCodeOf(r.error) }, durationMs: Math.round(r.durationMs) }
        : {}),
    })),
    summary: { succeeded: succeeded.length, failed: failed.length, notStarted: notStarted.length },
  });
  if (failed.length === 0 && notStarted.length === 0) return;
  if (ctx.signal.aborted) throw new UserError('interrupted', { exitCode: ExitCode.interrupted, resultPrinted: true });
  const named = [
    ...failed.map((r) => `${r.target.label} (${reasonOf(r.error)})`),
    ...notStarted.map((r) => `${r.target.label} (not started)`),
  ];
  throw new UserError(
    `${failed.length + notStarted.length} of ${results.length} targets did not finish: ${named.join('; ')}`,
    {
      exitCode: ExitCode.someTargetsFailed,
      hint: `the others finished; rerun with the names to retry, e.g. \`tslambda ${command} ${[...new Set([...failed, ...notStarted].map((r) => r.target.functionKey))].join(' ')}\``,
      resultPrinted: true,
    },
  );
}
