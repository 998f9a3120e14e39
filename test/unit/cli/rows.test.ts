// The output of a run over many targets: live rows redrawn in place on a terminal, prefixed lines elsewhere,
// nothing but the result with --json.
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createOutput } from '../../../src/cli/terminal.js';

function capture() {
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (chunk: Buffer) => (text += chunk.toString()));
  return { stream, text: () => text };
}

async function runTwoTargets(options: { interactive: boolean; json?: boolean }) {
  const stderr = capture();
  const stdout = capture();
  const out = await createOutput({
    stdout: stdout.stream,
    stderr: stderr.stream,
    interactive: options.interactive,
    color: false,
    json: options.json ?? false,
    verbose: false,
    quiet: false,
  });
  const api = out.forTarget!('api eu-west-1');
  const worker = out.forTarget!('worker us-east-1');
  await Promise.all([
    api.step('Pushing shop:v1', async () => new Promise((resolve) => setTimeout(resolve, 250))),
    worker
      .step('Updating worker', async () => {
        throw new Error('throttled');
      })
      .catch(() => undefined),
  ]);
  worker.warn('retrying later');
  out.result('Deployed 2 targets', { ok: false });
  return { stderr: stderr.text(), stdout: stdout.text() };
}

describe('output for many targets', () => {
  it('off a terminal: each step a line prefixed by its target, warnings too, then the result', async () => {
    const { stderr } = await runTwoTargets({ interactive: false });
    expect(stderr.split('\n')).toEqual([
      '[api eu-west-1] Pushing shop:v1 …',
      '[worker us-east-1] Updating worker …',
      '[worker us-east-1] ✖ Updating worker',
      expect.stringMatching(/^\[api eu-west-1\] ✔ Pushing shop:v1 \(\d+ms\)$/),
      '[worker us-east-1] warning: retrying later',
      'Deployed 2 targets',
      '',
    ]);
  });

  it('on a terminal: one row per target with its step and time, redrawn in place, the warning kept above', async () => {
    const { stderr } = await runTwoTargets({ interactive: true });
    // Redraws move the cursor up over the rows and clear below; the last frame shows both outcomes.
    expect(stderr).toContain('\u001b[2A\u001b[0J');
    const lastFrame = stderr.slice(stderr.lastIndexOf('\u001b[0J') + 4).split('\n');
    expect(lastFrame[0]).toMatch(/^✔ api eu-west-1 {5}Pushing shop:v1 \d+ms$/);
    expect(lastFrame[1]).toMatch(/^✖ worker us-east-1 {2}Updating worker \d+ms$/);
    expect(lastFrame[2]).toBe('Deployed 2 targets');
    expect(stderr).toContain('[worker us-east-1] warning: retrying later\n');
  });

  it('with --json: no rows or lines on stdout, only the result object', async () => {
    const { stdout } = await runTwoTargets({ interactive: false, json: true });
    expect(JSON.parse(stdout)).toEqual({ ok: false });
  });
});
