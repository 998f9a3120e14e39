// The parts of `deploy --canary` that need no AWS: the flag values, the bake's decision, and bad flags as usage errors.
import { describe, expect, it } from 'vitest';
import { ExitCode } from '../../../src/core/errors.js';
import { parseDurationMs, parseErrorRate, parseWeight } from '../../../src/config/canary.js';
import { bake, exceeds, pollPeriodMs, type Counts } from '../../../src/pipeline/bake.js';
import { runCli } from '../../support/run-cli.js';
import { makeProject } from '../../support/temp-project.js';

describe('canary flag values', () => {
  it('a weight is a share above 0 and below 100%, as a percentage or a fraction', () => {
    expect(parseWeight('10%')).toBe(0.1);
    expect(parseWeight('0.25')).toBe(0.25);
    expect(parseWeight('2.5%')).toBe(0.025);
    for (const bad of ['0%', '100%', '1', 'ten', '-5%', '']) expect(parseWeight(bad), bad).toBeUndefined();
  });
  it('a bake is a duration; a bare number is seconds', () => {
    expect(parseDurationMs('5m')).toBe(300_000);
    expect(parseDurationMs('90s')).toBe(90_000);
    expect(parseDurationMs('3')).toBe(3000);
    expect(parseDurationMs('1h')).toBe(3_600_000);
    for (const bad of ['0s', '5 minutes', '-1m', '']) expect(parseDurationMs(bad), bad).toBeUndefined();
  });
  it('an error rate is from 0 to below 100%', () => {
    expect(parseErrorRate('0')).toBe(0);
    expect(parseErrorRate('1%')).toBe(0.01);
    expect(parseErrorRate('0.05')).toBe(0.05);
    for (const bad of ['100%', '2', 'x']) expect(parseErrorRate(bad), bad).toBeUndefined();
  });
});

describe('the bake', () => {
  it('polls a tenth of the bake, from 1 s to 60 s', () => {
    expect(pollPeriodMs(300_000)).toBe(30_000);
    expect(pollPeriodMs(3_600_000)).toBe(60_000);
    expect(pollPeriodMs(3000)).toBe(1000);
  });
  it('fails on any error at a threshold of 0, and above the rate otherwise (errors count as invocations)', () => {
    expect(exceeds({ errors: 0, invocations: 100 }, 0)).toBe(false);
    expect(exceeds({ errors: 1, invocations: 100 }, 0)).toBe(true);
    expect(exceeds({ errors: 1, invocations: 100 }, 0.01)).toBe(false);
    expect(exceeds({ errors: 2, invocations: 100 }, 0.01)).toBe(true);
    // Errors reported before their invocations: 3 errors are at least 3 invocations, a rate of 100%.
    expect(exceeds({ errors: 3, invocations: 0 }, 0.5)).toBe(true);
  });
  it('ends at the first read over the threshold, with what it saw; reports the time left after each quiet read', async () => {
    const reads: Counts[] = [
      { errors: 0, invocations: 4 },
      { errors: 2, invocations: 9 },
    ];
    const progress: number[] = [];
    const verdict = await bake(async () => reads.shift()!, {
      bakeMs: 10_000,
      maxErrorRate: 0,
      signal: new AbortController().signal,
      onProgress: ({ leftMs }) => progress.push(leftMs),
    });
    expect(verdict).toMatchObject({ passed: false, errors: 2, invocations: 9, polls: 2 });
    expect(progress).toHaveLength(1);
    expect(progress[0]).toBeGreaterThan(0);
  });
  it('passes when the time is up without errors over the threshold', async () => {
    const verdict = await bake(async () => ({ errors: 0, invocations: 1 }), {
      bakeMs: 1500,
      maxErrorRate: 0,
      signal: new AbortController().signal,
      onProgress: () => undefined,
    });
    expect(verdict).toMatchObject({ passed: true, errors: 0, invocations: 1 });
  });
  it('stops at once on Ctrl-C', async () => {
    const controller = new AbortController();
    controller.abort(new Error('interrupted'));
    const outcome = bake(async () => ({ errors: 0, invocations: 0 }), {
      bakeMs: 60_000,
      maxErrorRate: 0,
      signal: controller.signal,
      onProgress: () => undefined,
    });
    await expect(outcome).rejects.toThrow();
  });
});

describe('bad canary flags stop before anything is built (exit 2)', async () => {
  const cwd = await makeProject({ 'lambda.config.json': JSON.stringify({ functionName: 'fn-canary-flags' }) });
  it.each([
    [['--alias', 'live', '--canary', '100%'], '--canary: expected a share of traffic above 0 and below 100%'],
    [['--alias', 'live', '--canary', '10%', '--bake', 'soon'], '--bake: expected a duration such as 5m, 90s or 1h'],
    [['--alias', 'live', '--bake', '5m'], '--bake: needs --canary <share>'],
    [['--canary', '10%'], 'error: --canary needs an alias whose traffic it splits'],
  ])('deploy %j', async (args, line) => {
    const result = await runCli(['deploy', ...args], { cwd, env: { AWS_ENDPOINT_URL: 'http://127.0.0.1:9' } });
    expect(result.exitCode, result.stderr).toBe(ExitCode.usage);
    expect(result.stderr).toContain(line);
  });
});
