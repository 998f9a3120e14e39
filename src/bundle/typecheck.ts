// Runs the project's own TypeScript compiler (`tsc --noEmit`) before a bundle is built: types are not esbuild's job.
import { stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { ExitCode, UserError } from '../core/errors.js';

export interface TypecheckResult {
  tsc: string;
  durationMs: number;
}

/** node_modules/.bin/tsc of the project, looked for from `projectDir` upward (workspaces hoist it). */
export async function findProjectTsc(projectDir: string): Promise<string | undefined> {
  const name = process.platform === 'win32' ? 'tsc.cmd' : 'tsc';
  for (let dir = projectDir; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', '.bin', name);
    if (
      await stat(candidate).then(
        (s) => s.isFile(),
        () => false,
      )
    )
      return candidate;
    if (dirname(dir) === dir) return undefined;
  }
}

/**
 * `tsc --noEmit` in `projectDir` (its tsconfig.json decides what is checked). Type errors become
 * UserError(typecheckFailed) carrying tsc's own output; a missing compiler is named with the fix.
 */
export async function typecheckProject(projectDir: string, signal?: AbortSignal): Promise<TypecheckResult> {
  const tsc = await findProjectTsc(projectDir);
  if (!tsc)
    throw new UserError(
      `--typecheck needs the project's own TypeScript compiler, and none is installed in ${projectDir}`,
      {
        exitCode: ExitCode.typecheckFailed,
        hint: 'run `npm install --save-dev typescript`, or build without --typecheck',
      },
    );
  const started = Date.now();
  // Loaded when the check runs, not with every build's modules (before its first line).
  const { execFile } = await import('node:child_process');
  try {
    await new Promise<void>((resolve, reject) => {
      execFile(
        tsc,
        ['--noEmit', '--pretty', 'false'],
        { cwd: projectDir, signal, maxBuffer: 32 * 1024 * 1024, shell: process.platform === 'win32' },
        (error, stdout, stderr) =>
          error ? reject(Object.assign(error, { output: `${stdout}${stderr}`.trim() })) : resolve(),
      );
    });
  } catch (error) {
    const output = (error as { output?: string }).output ?? '';
    if (signal?.aborted) throw error;
    const errorCount = output.split('\n').filter((line) => /error TS\d+/.test(line)).length;
    throw new UserError(
      `type check failed${errorCount ? ` with ${errorCount} error${errorCount === 1 ? '' : 's'}` : ''}:\n${output || (error as Error).message}`,
      {
        exitCode: ExitCode.typecheckFailed,
        hint: 'fix the type errors above (tsc --noEmit), or build without --typecheck',
        details: { tscOutput: output },
        cause: error,
      },
    );
  }
  return { tsc, durationMs: Date.now() - started };
}
