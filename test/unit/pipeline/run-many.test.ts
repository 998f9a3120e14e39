// The runner over many targets: a bound on how many run at once, every target to its own end, none after Ctrl-C.
import { describe, expect, it } from 'vitest';
import { limiter, runTargets } from '../../../src/pipeline/run-many.js';
import { selectFunctions, type Target } from '../../../src/pipeline/targets.js';
import type { ResolvedConfig } from '../../../src/config/types.js';

const targets = (count: number): Target[] =>
  Array.from({ length: count }, (_, i) => ({
    label: `fn${i}`,
    functionKey: `fn${i}`,
    config: { functionKey: `fn${i}` } as ResolvedConfig,
  }));
const tick = () => new Promise((resolve) => setTimeout(resolve, 5));

describe('runTargets', () => {
  it('runs at most `concurrency` at once and lets every target end on its own after a failure', async () => {
    let running = 0;
    let most = 0;
    const results = await runTargets(
      targets(6),
      { concurrency: 2, signal: new AbortController().signal },
      async (t) => {
        running += 1;
        most = Math.max(most, running);
        await tick();
        running -= 1;
        if (t.label === 'fn1') throw new Error('throttled');
        return t.label.toUpperCase();
      },
    );
    expect(most).toBe(2);
    expect(results.map((r) => [r.target.label, r.status])).toEqual([
      ['fn0', 'succeeded'],
      ['fn1', 'failed'],
      ['fn2', 'succeeded'],
      ['fn3', 'succeeded'],
      ['fn4', 'succeeded'],
      ['fn5', 'succeeded'],
    ]);
    expect(results[1]!.status === 'failed' && (results[1]!.error as Error).message).toBe('throttled');
  });

  it('starts nothing new once aborted; the rest are named as not started', async () => {
    const abort = new AbortController();
    const results = await runTargets(targets(4), { concurrency: 1, signal: abort.signal }, async (t) => {
      if (t.label === 'fn1') abort.abort();
      await tick();
    });
    expect(results.map((r) => r.status)).toEqual(['succeeded', 'succeeded', 'not started', 'not started']);
  });
});

describe('limiter', () => {
  it('runs at most its slots at once, the rest in the order they came, and frees a slot on failure', async () => {
    const onEngine = limiter(2);
    let running = 0;
    let most = 0;
    const started: number[] = [];
    const work = (index: number) =>
      onEngine(async () => {
        started.push(index);
        running++;
        most = Math.max(most, running);
        await tick();
        running--;
        if (index === 0) throw new Error('build failed');
        return index;
      });
    const results = await Promise.allSettled([0, 1, 2, 3, 4].map(work));
    expect(most).toBe(2);
    expect(started).toEqual([0, 1, 2, 3, 4]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'fulfilled', 'fulfilled', 'fulfilled', 'fulfilled']);
  });
});

describe('selectFunctions', () => {
  const fns = ['api', 'worker', 'cron'].map((key) => ({ functionKey: key }) as ResolvedConfig);
  it('picks by name or --all, and names the choices when a project of several gets neither', () => {
    expect(selectFunctions(fns, { names: ['cron', 'api'], all: false }).map((f) => f.functionKey)).toEqual([
      'api',
      'cron',
    ]);
    expect(selectFunctions(fns, { all: true })).toHaveLength(3);
    expect(() => selectFunctions(fns, { all: false })).toThrow(
      'this project has 3 functions (api, worker, cron); name the ones to use',
    );
    expect(() => selectFunctions(fns, { names: ['wroker'], all: false })).toThrow(
      'no function named wroker in this project (it has api, worker, cron)',
    );
  });
});
