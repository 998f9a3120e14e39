// The test command's last line names every skipped group and why, and CI fails on any skip.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { summarizeSkips } from '../../support/skip-summary.js';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../../../', import.meta.url));
const config = 'test/fixtures/skip-summary/vitest.config.ts';

async function vitest(env: Record<string, string | undefined>): Promise<{ lastLine: string; exitCode: number }> {
  const result = await run(process.execPath, ['node_modules/vitest/vitest.mjs', 'run', '--config', config], {
    cwd: root,
    env: { ...process.env, ...env },
  })
    .then((r) => ({ stdout: r.stdout, exitCode: 0 }))
    .catch((error: { stdout: string; code: number }) => ({ stdout: error.stdout, exitCode: error.code }));
  return { lastLine: result.stdout.trim().split('\n').at(-1)!, exitCode: result.exitCode };
}

const expectedLine =
  'skipped 3 tests: group with a reason (2): the thing is missing; run scripts/thing.sh; ' +
  'cases.fixture.ts > bare (1): skipped without a recorded reason (use runsWhen from test/support/skips.ts)';

describe('skip summary reporter', () => {
  it('ends a local run with one line of groups, counts and reasons, and passes', async () => {
    const { lastLine, exitCode } = await vitest({ CI: undefined });
    expect(lastLine).toBe(expectedLine);
    expect(exitCode).toBe(0);
  });

  it('fails the run under CI=true when anything was skipped', async () => {
    const { lastLine, exitCode } = await vitest({ CI: 'true' });
    expect(lastLine).toBe(`${expectedLine} — failing: CI allows no skipped test`);
    expect(exitCode).toBe(1);
  });

  it('says so when nothing was skipped', () => {
    expect(summarizeSkips([])).toBe('skipped: none');
  });
});
