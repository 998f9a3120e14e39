// Knowing when all of an invocation's log lines have arrived: tslambda's runtime writes a fence line to stdout and
// stderr before it answers (when _TSLAMBDA_LOG_FENCE=1), and names it in a request header; the environment strips
// the fence lines from the output and waits for both before it writes END and REPORT.

import { LOG_FENCE_ENV } from '../api/protocol.js';

/** The variables that switch the fence on in tslambda's runtime. */
export const LOG_FENCE_VARIABLES: Record<string, string> = { [LOG_FENCE_ENV]: '1' };
const MARK = Buffer.from('\u001etslambda-log-fence ');
/** One fence line on stdout, one on stderr. */
const FENCES_PER_ANSWER = 2;
const NEWLINE = 0x0a;
/** Fences nobody waits for (a warm call without log tail) are forgotten, oldest first, past this many. */
const REMEMBERED = 256;

export class LogFence {
  private readonly seen = new Map<string, number>();
  private readonly waiters = new Map<string, () => void>();

  /** Removes fence lines from a chunk of output and records them; returns what is left for the log. */
  filter(chunk: Buffer): Buffer {
    let at = chunk.indexOf(MARK);
    if (at === -1) return chunk;
    const kept: Buffer[] = [];
    let from = 0;
    while (at !== -1) {
      const end = chunk.indexOf(NEWLINE, at + MARK.length);
      // A pipe write this short is atomic, so a fence never straddles two chunks; a partial one stays as output.
      if (end === -1) break;
      kept.push(chunk.subarray(from, at));
      this.record(chunk.toString('utf8', at + MARK.length, end));
      from = end + 1;
      at = chunk.indexOf(MARK, from);
    }
    kept.push(chunk.subarray(from));
    return kept.length === 1 ? kept[0]! : Buffer.concat(kept);
  }

  /** Resolves true once both fence lines of `token` have arrived, false when `capMs` passes first. */
  async arrived(token: string, capMs: number): Promise<boolean> {
    if (this.take(token)) return true;
    let timer: NodeJS.Timeout | undefined;
    const result = await new Promise<boolean>((resolve) => {
      this.waiters.set(token, () => resolve(true));
      timer = setTimeout(() => resolve(false), capMs);
    });
    clearTimeout(timer);
    this.waiters.delete(token);
    this.take(token);
    return result;
  }

  private record(token: string): void {
    this.seen.set(token, (this.seen.get(token) ?? 0) + 1);
    if (this.seen.size > REMEMBERED) this.seen.delete(this.seen.keys().next().value!);
    if ((this.seen.get(token) ?? 0) >= FENCES_PER_ANSWER) this.waiters.get(token)?.();
  }

  /** True (and forgets the token) when both fences of `token` are in. */
  private take(token: string): boolean {
    if ((this.seen.get(token) ?? 0) < FENCES_PER_ANSWER) return false;
    this.seen.delete(token);
    return true;
  }
}
