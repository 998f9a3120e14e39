// A function that writes far more than a pipe holds: every byte reaches invoke-local's stderr, before END/REPORT,
// in both modes (it used to stop after about 96 KB on the host and 220 KB in a container, exit 0, no word of it).
import { afterAll, describe, expect, it } from 'vitest';
import { runProcess } from '../support/cli-process.js';
import { BASE_IMAGE, dockerForTests } from '../support/docker.js';
import { makeProject } from '../support/temp-project.js';

const { docker, reason } = await dockerForTests();
const functionName = `faults-logs-${process.pid}`;
const LINES = 8 * 1024;
const project = await makeProject({
  'lambda.config.json': JSON.stringify({
    functionName,
    handler: 'index.handler',
    baseImage: BASE_IMAGE,
    memorySize: 256,
  }),
  'index.mjs': `export const handler = async () => {
    for (let i = 0; i < ${LINES}; i++) process.stdout.write(String(i).padStart(8, '0') + 'x'.repeat(1015) + '\\n');
    console.error('last line');
    return 'done';
  };`,
});

afterAll(async () => {
  await docker
    ?.getImage(`${functionName}:latest`)
    .remove({ force: true })
    .catch(() => undefined);
});

async function expectEveryLine(args: string[]): Promise<void> {
  const run = await runProcess(['invoke-local', '--cwd', project, '--data', '{}', ...args], { boundMs: 120_000 });
  expect(run.exitCode).toBe(0);
  expect(run.stdout).toBe('"done"');
  const lines = run.stderr.split('\n');
  const numbered = lines.filter((line) => /^\d{8}x{1015}$/.test(line)).map((line) => Number(line.slice(0, 8)));
  expect(numbered.length).toBe(LINES);
  expect(numbered.every((n, i) => n === i)).toBe(true);
  const end = lines.findIndex((line) => line.startsWith('END RequestId'));
  expect(lines.findIndex((line) => line.includes('\tERROR\tlast line'))).toBeLessThan(end);
  expect(lines.findIndex((line) => line.startsWith('00008191'))).toBeLessThan(end);
}

describe('a function that writes 8 MB of logs', () => {
  it('--no-docker: every line arrives, in order, before END', () => expectEveryLine(['--no-docker']), 120_000);
  it.skipIf(!docker)(
    `in a container: every line arrives, in order, before END ${reason ?? ''}`,
    () => expectEveryLine([]),
    180_000,
  );
});
