import { describe, expect, it } from 'vitest';
import { LogFence } from '../../../src/local/execution/log-fence.js';

const line = (token: string) => `\u001etslambda-log-fence ${token}\n`;

describe('LogFence', () => {
  it('strips fence lines wherever they sit in a chunk and keeps everything else byte for byte', () => {
    const fence = new LogFence();
    expect(fence.filter(Buffer.from(`a\n${line('r1')}b\n`)).toString()).toBe('a\nb\n');
    expect(fence.filter(Buffer.from(line('r1'))).length).toBe(0);
    expect(fence.filter(Buffer.from('plain ü\n')).toString()).toBe('plain ü\n');
  });

  it('says the logs are complete once both streams fenced, however the two arrive', async () => {
    const fence = new LogFence();
    const waiting = fence.arrived('r2', 5000);
    fence.filter(Buffer.from(line('r2')));
    let settled = false;
    void waiting.then(() => (settled = true));
    await Promise.resolve();
    expect(settled).toBe(false);
    fence.filter(Buffer.from(`late stderr\n${line('r2')}`));
    expect(await waiting).toBe(true);
    // Fences that came before the wait count too.
    fence.filter(Buffer.from(line('r3') + line('r3')));
    expect(await fence.arrived('r3', 5000)).toBe(true);
  });

  it('gives up after the cap when a fence never comes', async () => {
    expect(await new LogFence().arrived('never', 20)).toBe(false);
  });
});
