// Follows one CodeBuild build to its end: polls BatchGetBuilds, streams its CloudWatch log lines as they arrive
// (the spinner shows the phase and the latest line, --verbose every line), and turns the end into a digest or an error
// naming the failing phase and its last lines.
import { getBuild, newLogLines, type Build, type BuildClients, type LogCursor } from '../aws/codebuild.js';
import { ExitCode, UserError } from '../core/errors.js';
import { DIGEST_LOG_PREFIX, DIGEST_VARIABLE } from '../image/buildspec.js';
import type { PipelineContext } from './context.js';
import { setTimeout as sleep } from 'node:timers/promises';

export const POLL_MS = 1000;

/** Between polls; ends early (with an AbortError) on Ctrl-C. */
const pause = (ms: number, signal: AbortSignal) => sleep(ms, undefined, { signal });

/** A stop CodeBuild reports that was not our Ctrl-C (a console user, a timeout): a failed build, exit code 4. */
const buildStopped = (id: string) =>
  new UserError(`CodeBuild build ${id} was stopped before it finished`, {
    exitCode: ExitCode.buildFailed,
    details: { buildId: id, buildStatus: 'STOPPED' },
  });
const FAILED = new Set(['FAILED', 'FAULT', 'TIMED_OUT', 'STOPPED']);
/** CodeBuild's own line at each phase: "[Container] 2026/12/01 07:00:00.123 Entering phase BUILD". */
const ENTERING = /Entering phase ([A-Z_]+)/;

export interface FollowedBuild {
  digest: string;
  layersPushed: number;
  layersExisted: number;
}

/** The log lines of the build so far, by the phase CodeBuild said it entered before them. */
class PhaseLog {
  phase = 'SUBMITTED';
  readonly lines = new Map<string, string[]>();
  layersPushed = 0;
  layersExisted = 0;
  digestLine?: string;

  add(line: string): void {
    const entering = ENTERING.exec(line);
    if (entering) this.phase = entering[1]!;
    const lines = this.lines.get(this.phase) ?? [];
    lines.push(line);
    if (lines.length > 200) lines.shift();
    this.lines.set(this.phase, lines);
    if (/: Pushed$/.test(line)) this.layersPushed += 1;
    if (/: Layer already exists$/.test(line)) this.layersExisted += 1;
    if (line.startsWith(DIGEST_LOG_PREFIX)) this.digestLine = line.slice(DIGEST_LOG_PREFIX.length).trim();
  }

  /** The last lines of a phase, without CodeBuild's own bookkeeping lines. */
  tail(phase: string, count = 10): string[] {
    return (this.lines.get(phase) ?? []).filter((line) => !line.startsWith('[Container]')).slice(-count);
  }
}

export async function followBuild(
  ctx: PipelineContext,
  clients: BuildClients,
  id: string,
  update: (text: string) => void,
): Promise<FollowedBuild> {
  const log = new PhaseLog();
  const cursor: LogCursor = { seen: new Set() };
  const read = async (build: Build) => {
    const { groupName, streamName } = build.logs ?? {};
    if (!groupName || !streamName) return;
    for (const line of await newLogLines(clients.logs, { groupName, streamName }, cursor, ctx.signal)) {
      log.add(line);
      ctx.out.debug(`  ${line}`);
      update(`${log.phase}: ${line.slice(0, 100)}`);
    }
  };
  for (;;) {
    const build = await getBuild(clients.codebuild, id, ctx.signal);
    if (!cursor.seen.size) update(build.currentPhase ?? 'SUBMITTED');
    await read(build);
    if (build.buildComplete) return finish(id, build, log);
    await pause(POLL_MS, ctx.signal);
  }
}

function finish(id: string, build: Build, log: PhaseLog): FollowedBuild {
  const result = { layersPushed: log.layersPushed, layersExisted: log.layersExisted };
  if (build.buildStatus === 'SUCCEEDED') {
    const exported = build.exportedEnvironmentVariables?.find((v) => v.name === DIGEST_VARIABLE)?.value;
    const digest = exported || log.digestLine;
    if (!digest || !/^sha256:[0-9a-f]{64}$/.test(digest))
      throw new UserError(`CodeBuild build ${id} succeeded but exported no image digest (${DIGEST_VARIABLE})`, {
        exitCode: ExitCode.buildFailed,
        hint: 'the project may run a buildspec of its own: tslambda needs the one it uploads (no buildspec override on the project)',
      });
    return { digest, ...result };
  }
  if (build.buildStatus === 'STOPPED') throw buildStopped(id);
  const failed = build.phases?.find((phase) => phase.phaseStatus && FAILED.has(phase.phaseStatus));
  const phase = failed?.phaseType ?? build.currentPhase ?? 'UNKNOWN';
  const reason = failed?.contexts?.map((c) => c.message).find(Boolean) ?? build.buildStatus ?? 'failed';
  const tail = log.tail(phase);
  throw new UserError(
    `CodeBuild build ${id} failed in phase ${phase}: ${reason}${tail.length ? `\n${tail.map((l) => `  | ${l}`).join('\n')}` : ''}`,
    {
      exitCode: ExitCode.buildFailed,
      hint: build.logs?.deepLink
        ? `whole log: ${build.logs.deepLink}`
        : 'rerun with --verbose to see the whole build log',
      details: { buildId: id, buildStatus: build.buildStatus, phase, reason },
    },
  );
}
