// The undo stack: steps run newest first, once, every one even after a failure, with the errors handed back.
import { describe, expect, it } from 'vitest';
import { createCleanup } from '../../../src/core/cleanup.js';

describe('createCleanup', () => {
  it('runs the steps newest first, keeps going past a failing one and returns the errors', async () => {
    const cleanup = createCleanup();
    const ran: string[] = [];
    const boom = new Error('boom');
    cleanup.push(() => ran.push('container'));
    cleanup.push(async () => {
      ran.push('server');
      throw boom;
    });
    cleanup.push(async () => ran.push('temp dir'));
    expect(await cleanup.run()).toEqual([boom]);
    expect(ran).toEqual(['temp dir', 'server', 'container']);
  });

  it('runs each step once: concurrent calls share the run, a later call runs only steps pushed since', async () => {
    const cleanup = createCleanup();
    let count = 0;
    let release!: () => void;
    cleanup.push(() => new Promise<void>((resolve) => (release = () => resolve(void count++))));
    const first = cleanup.run();
    const second = cleanup.run();
    expect(second).toBe(first);
    release();
    await Promise.all([first, second]);
    expect(count).toBe(1);
    cleanup.push(() => void count++);
    await cleanup.run();
    await cleanup.run();
    expect(count).toBe(2);
  });
});
