// Vitest globalSetup: makes this machine ready for the suite where it can, before any test file runs.
// Each step is one script under scripts/; a step that fails leaves its tests to skip with their reason.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Docker from 'dockerode';
import { BASE_IMAGE } from './docker.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface ReadinessStep {
  /** What the step makes ready, as the one line printed about it says. */
  name: string;
  /** bash script (and arguments) under the repository root; it must be idempotent. */
  script: string[];
  /** Why the step does not apply here (nothing to do, or it cannot run); undefined to run it. */
  skip?: () => Promise<string | undefined>;
  /** How long the script may take (default 10 minutes). */
  timeoutMs?: number;
}

async function engine(): Promise<Docker | undefined> {
  const docker = new Docker({ socketPath: '/var/run/docker.sock' });
  return docker.ping().then(
    () => docker,
    () => undefined,
  );
}

/** The readiness steps, in order. Add a step here to make `npm test` prepare one more thing. */
export const steps: ReadinessStep[] = [
  {
    name: `base image ${BASE_IMAGE}`,
    script: ['scripts/base-image.sh'],
    skip: async () => {
      const docker = await engine();
      if (!docker) return 'no Docker engine answers on /var/run/docker.sock';
      return docker
        .getImage(BASE_IMAGE)
        .inspect()
        .then(
          () => 'already there',
          () => undefined,
        );
    },
  },
  { name: 'Node 18, 22 and 24 binaries', script: ['scripts/fetch-nodes.sh'] },
  // The headless browser of the --http end-to-end test (test/e2e/http-front.test.ts).
  {
    name: 'chromium (headless browser for --http)',
    script: ['scripts/chromium.sh'],
    skip: async () => (spawnSync('sh', ['-c', 'command -v chromium']).status === 0 ? 'already there' : undefined),
  },
  // After the Node binaries: each reference client is built by the Node that runs it.
  {
    name: 'aws-lambda-ric 3.x and 4.x (conformance references)',
    script: ['scripts/fetch-ric.sh'],
    timeoutMs: 45 * 60_000,
  },
];

function lastLine(text: string): string {
  return text.trim().split('\n').at(-1) ?? '';
}

export async function runSteps(list: ReadinessStep[], log: (line: string) => void): Promise<void> {
  for (const step of list) {
    const skipped = await step.skip?.();
    if (skipped !== undefined) continue;
    if (step.script[0]!.endsWith('.sh') && !existsSync(join(root, step.script[0]!))) {
      log(`readiness: ${step.name}: ${step.script[0]} is missing`);
      continue;
    }
    const run = spawnSync('bash', step.script, { cwd: root, encoding: 'utf8', timeout: step.timeoutMs ?? 600_000 });
    log(
      run.status === 0
        ? `readiness: ${step.name}: ready`
        : `readiness: ${step.name}: not ready (${lastLine(run.stderr || run.stdout) || `exit ${run.status}`}); its tests will be skipped`,
    );
  }
}

export default async function setup(): Promise<void> {
  if (process.env.TSLAMBDA_TEST_READINESS === '0') return;
  await runSteps(steps, (line) => process.stdout.write(`${line}\n`));
}
