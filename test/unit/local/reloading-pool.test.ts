// ReloadingPool: the order of a swap under live callers, with environment sets that record what happens to them.
import { describe, expect, it } from 'vitest';
import type { EnvironmentResult } from '../../../src/local/execution/invoker.js';
import type { EnvironmentSet } from '../../../src/local/execution/environment-set.js';
import type { EnvironmentPool } from '../../../src/local/execution/pool.js';
import { ReloadingPool } from '../../../src/local/reload/reloading-pool.js';

/** A set named `name` whose invocations settle when the test says; every call and the stop land in `log`. */
function fakeSet(name: string, log: string[]) {
  const pending: Array<() => void> = [];
  let stopped = false;
  const set: EnvironmentSet = {
    pool: {
      invoke: (payload: Buffer | string) => {
        if (stopped) return Promise.reject(new Error(`${name} was stopped`));
        log.push(`${name} runs ${payload}`);
        return new Promise<EnvironmentResult>((resolve) =>
          pending.push(() => {
            log.push(`${name} answers ${payload}`);
            resolve({ payload: Buffer.from(`${name}:${payload}`) } as EnvironmentResult);
          }),
        );
      },
    } as unknown as EnvironmentPool,
    async stop() {
      stopped = true;
      log.push(`${name} stopped`);
    },
  };
  return { set, answerAll: () => pending.splice(0).forEach((answer) => answer()) };
}

const text = (result: EnvironmentResult) => result.payload.toString();
const turns = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('ReloadingPool', () => {
  it('lets running calls finish on the old code, stops it, then runs calls made during the swap on the new code', async () => {
    const log: string[] = [];
    const pool = new ReloadingPool();
    const first = fakeSet('v1', log);
    await pool.replace(async () => first.set);

    const running = pool.invoke('a');
    await turns();
    const second = fakeSet('v2', log);
    const swapped = pool.replace(
      async () => second.set,
      async () => void log.push('task root rewritten'),
    );
    const duringSwap = pool.invoke('b');
    await turns();
    // The swap waits for "a"; "b" waits for the swap.
    expect(log).toEqual(['v1 runs a']);

    first.answerAll();
    expect(text(await running)).toBe('v1:a');
    await swapped;
    await turns();
    second.answerAll();
    expect(text(await duringSwap)).toBe('v2:b');
    expect(log).toEqual([
      'v1 runs a',
      'v1 answers a',
      'v1 stopped',
      'task root rewritten',
      'v2 runs b',
      'v2 answers b',
    ]);
  });

  it('holds calls until a set starts, also when a start fails: a later replace serves them', async () => {
    const log: string[] = [];
    const pool = new ReloadingPool();
    const waiting = pool.invoke('early');
    await expect(pool.replace(async () => Promise.reject(new Error('build failed')))).rejects.toThrow('build failed');
    await turns();
    expect(log).toEqual([]);

    const good = fakeSet('v1', log);
    await pool.replace(async () => good.set);
    await turns();
    good.answerAll();
    expect(text(await waiting)).toBe('v1:early');
  });

  it('stop() stops the current set once, and every caller of stop() waits for that removal', async () => {
    const log: string[] = [];
    const pool = new ReloadingPool();
    const { set } = fakeSet('v1', log);
    let release!: () => void;
    const slowStop = new Promise<void>((resolve) => (release = resolve));
    set.stop = async () => {
      await slowStop;
      log.push('v1 stopped');
    };
    await pool.replace(async () => set);
    let settled = 0;
    const stops = [pool.stop(), pool.stop()].map((stop) => stop.then(() => settled++));
    await turns();
    expect(settled).toBe(0);
    release();
    await Promise.all(stops);
    expect(settled).toBe(2);
    expect(log).toEqual(['v1 stopped']);
    await expect(pool.invoke('late')).rejects.toThrow('stopping');
  });

  it('stop() during a start fails waiting callers and stops the set as soon as it exists', async () => {
    const log: string[] = [];
    const pool = new ReloadingPool();
    const waiting = pool.invoke('never');
    let started!: (value: EnvironmentSet) => void;
    const replacing = pool.replace(() => new Promise<EnvironmentSet>((resolve) => (started = resolve)));
    await turns(); // the replace is inside start()
    const stopping = pool.stop();
    await expect(waiting).rejects.toThrow('stopping');
    started(fakeSet('v1', log).set);
    await expect(replacing).rejects.toThrow('stopping');
    await stopping;
    expect(log).toEqual(['v1 stopped']);
  });
});
