// `tslambda init` into an empty folder, then `build` and a real invocation of the image: the TypeScript path end to end.
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExitCode } from '../../src/core/errors.js';
import { startEmulator } from '../../src/local/api/emulator.js';
import type { InvokeResult } from '../../src/local/api/invocation.js';
import { BASE_IMAGE, dockerForTests, runInImage } from '../support/docker.js';
import { runsWhen } from '../support/skips.js';
import { runCli } from '../support/run-cli.js';
import { runInit } from '../unit/init/run-init.js';

const availability = await dockerForTests();
const docker = availability.docker as Docker;
const suffix = randomBytes(3).toString('hex');
const functionName = `e2e-init-${suffix}`;
const image = `${functionName}:latest`;

const LIST_TREE = `
const fs = require('fs'), path = require('path');
const walk = (d) => fs.readdirSync(d, { withFileTypes: true }).flatMap((e) => e.isDirectory() ? walk(path.join(d, e.name)) : [path.join(d, e.name)]);
console.log(walk(process.argv[1]).map((f) => path.relative(process.argv[1], f)).sort().join('\\n'));
`;

/** Starts the image against the Runtime API emulator (host network), sends one event, removes the container. */
async function invokeImage(event: unknown): Promise<InvokeResult> {
  const emulator = await startEmulator({ functionName, timeoutMs: 20_000 });
  const container = await docker.createContainer({
    Image: image,
    Env: [
      `AWS_LAMBDA_RUNTIME_API=${emulator.address}`,
      `AWS_LAMBDA_FUNCTION_NAME=${functionName}`,
      'AWS_LAMBDA_FUNCTION_MEMORY_SIZE=128',
      'AWS_LAMBDA_FUNCTION_VERSION=$LATEST',
    ],
    HostConfig: { NetworkMode: 'host' },
  });
  try {
    emulator.environmentStarting();
    await container.start();
    return await emulator.invoke(JSON.stringify(event));
  } finally {
    await container.remove({ force: true }).catch(() => {});
    await emulator.close();
  }
}

const build = (cwd: string) => runCli(['build', '--json'], { cwd });

describe(
  'init → build → invoke, bundled (real Docker engine)',
  runsWhen('e2e init → build → invoke', availability.reason),
  () => {
    let root: string;
    let project: string;
    beforeAll(async () => {
      root = await mkdtemp(join(tmpdir(), 'tslambda-e2e-init-'));
      project = join(root, 'hello');
    });
    afterAll(async () => {
      await docker
        .getImage(image)
        .remove({ force: true })
        .catch(() => {});
      await rm(root, { recursive: true, force: true });
    });

    it('scaffolds into an empty folder and the result builds into a small image that answers', async () => {
      const init = await runInit(root, { dir: 'hello', name: functionName, 'base-image': BASE_IMAGE });
      expect(init.error).toBeUndefined();

      const result = await build(project);
      expect(result.stderr).toBe('');
      expect(result.exitCode).toBe(ExitCode.ok);
      expect(JSON.parse(result.stdout)).toMatchObject({
        ok: true,
        image,
        dockerfile: `generated, bundled src/handler.ts (FROM ${BASE_IMAGE})`,
      });

      const info = await docker.getImage(image).inspect();
      expect(info.Config.Cmd).toEqual(['src/handler.handler']);
      expect(info.Config.Env).toContain('NODE_OPTIONS=--enable-source-maps');
      const task = await runInImage(docker, image, ['-e', LIST_TREE, '/var/task'], ['node']);
      expect(task.stdout.trim().split('\n')).toEqual(['src/handler.mjs', 'src/handler.mjs.map']);

      // The layers tslambda adds over the base image: the runtime loop and the bundle.
      const base = await docker.getImage(BASE_IMAGE).inspect();
      const added = info.Size - base.Size;
      console.info(`[measure] scaffolded hello: ${added} bytes over ${BASE_IMAGE}`);
      expect(added).toBeLessThan(100 * 1024);

      const response = await invokeImage({ name: 'e2e' });
      expect(response.outcome).toBe('success');
      expect(JSON.parse(response.payload.toString())).toEqual({
        message: 'Hello, e2e!',
        requestId: response.requestId,
      });
    });

    it('bundles a dependency instead of shipping node_modules, and maps a throw to the .ts line', async () => {
      // A dependency as npm would install it, and a handler that uses it and can throw.
      await mkdir(join(project, 'node_modules/shout'), { recursive: true });
      await writeFile(
        join(project, 'node_modules/shout/package.json'),
        JSON.stringify({ name: 'shout', version: '1.0.0', type: 'module', exports: './index.js' }),
      );
      await writeFile(join(project, 'node_modules/shout/index.js'), 'export const shout = (s) => s.toUpperCase();\n');
      const source = (await readFile(join(project, 'src/handler.ts'), 'utf8'))
        .replace(
          "import type { Handler } from 'tslambda';",
          "import type { Handler } from 'tslambda';\nimport { shout } from 'shout';",
        )
        .replace('interface HelloEvent {', 'interface HelloEvent {\n  fail?: boolean;')
        .replace('  return {', "  if (event.fail) throw new RangeError('asked to fail');\n  return {")
        .replace("event.name ?? 'world'", "shout(event.name ?? 'world')");
      await writeFile(join(project, 'src/handler.ts'), source);
      const throwLine = source.split('\n').findIndex((line) => line.includes('throw new RangeError')) + 1;

      const result = await build(project);
      expect(result.exitCode).toBe(ExitCode.ok);
      const task = await runInImage(docker, image, ['-e', LIST_TREE, '/var/task'], ['node']);
      expect(task.stdout.trim().split('\n')).toEqual(['src/handler.mjs', 'src/handler.mjs.map']);

      const ok = await invokeImage({ name: 'e2e' });
      expect(JSON.parse(ok.payload.toString())).toMatchObject({ message: 'Hello, E2E!' });

      const failed = await invokeImage({ fail: true });
      expect(failed.outcome).toBe('error');
      const error = JSON.parse(failed.payload.toString());
      expect(error).toMatchObject({ errorType: 'RangeError', errorMessage: 'asked to fail' });
      expect(error.trace.join('\n')).toContain(`/var/task/src/handler.ts:${throwLine}:`);
    });
  },
);
