// The readiness steps `npm test` runs first: each one either runs, is passed over, or says why it is not ready.
import { describe, expect, it } from 'vitest';
import { runSteps } from '../../support/readiness.js';

async function lines(list: Parameters<typeof runSteps>[0]): Promise<string[]> {
  const out: string[] = [];
  await runSteps(list, (line) => out.push(line));
  return out;
}

describe('readiness steps', () => {
  it('reports a failing step with the last line it printed, and goes on to the next', async () => {
    const out = await lines([
      { name: 'broken thing', script: ['-c', 'echo working >&2; echo cannot reach the registry >&2; exit 3'] },
      { name: 'passed over', script: ['-c', 'exit 9'], skip: async () => 'already there' },
      { name: 'fine thing', script: ['-c', 'exit 0'] },
      { name: 'absent script', script: ['scripts/no-such-step.sh'] },
    ]);
    expect(out).toEqual([
      'readiness: broken thing: not ready (cannot reach the registry); its tests will be skipped',
      'readiness: fine thing: ready',
      'readiness: absent script: scripts/no-such-step.sh is missing',
    ]);
  });
});
