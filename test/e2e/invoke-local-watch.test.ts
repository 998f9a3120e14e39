// invoke-local --watch end to end: a TypeScript handler is edited while the CLI runs; the next response must come
// from the new code, a syntax error is reported in one line and the next good save recovers. Once as host processes
// (--no-docker), once in containers behind --serve driven by the AWS SDK; every wait is bounded and watches output.

import { afterEach, describe, expect, it } from 'vitest';
import { writeFile } from 'node:fs/promises';
import type Docker from 'dockerode';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { freePort } from '../support/net.js';
import { interruptAll, startCli } from '../support/running-cli.js';
import { makeProject } from '../support/temp-project.js';
import { BASE_IMAGE, dockerForTests } from '../support/docker.js';
import { runsWhen } from '../support/skips.js';

const { docker, reason } = await dockerForTests();

// A failed assertion must not leave a watcher, a process or a container behind.
afterEach(interruptAll);

const count = (text: string, needle: string) => text.split(needle).length - 1;
const reports = (stderr: string) => stderr.split('\n').filter((line) => line.startsWith('REPORT '));

async function tsProject(functionName: string): Promise<string> {
  return makeProject({
    'lambda.config.json': JSON.stringify({
      functionName,
      handler: 'src/handler.handler',
      baseImage: BASE_IMAGE,
      timeout: 5,
    }),
    'package.json': JSON.stringify({ name: functionName, private: true, type: 'module' }),
    'src/handler.ts': [
      "import { word } from './word.js';",
      'export const handler = async (event: { n?: number }) => ({ word, n: event.n ?? null, pid: process.pid });',
      '',
    ].join('\n'),
    'src/word.ts': "export const word: string = 'first';\n",
  });
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('invoke-local --no-docker --watch', () => {
  it('invokes again with the same event after each save, from a new host process; a syntax error is one line and the fix recovers', async () => {
    const project = await tsProject(`watch-host-${process.pid}`);
    const cli = startCli(['invoke-local', '--cwd', project, '--no-docker', '--watch', '--data', '{"n":7}']);
    const responses = () =>
      cli
        .stdout()
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as { word: string; n: number; pid: number });

    await cli.waitFor('stdout', (out) => out.includes('"word":"first"'), 'the first response');
    expect(responses()).toEqual([{ word: 'first', n: 7, pid: expect.any(Number) }]);
    const firstPid = responses()[0]!.pid;

    // An imported file, not the entry, changes: the bundle is rebuilt and the process replaced.
    await writeFile(`${project}/src/word.ts`, "export const word: string = 'second';\n");
    await cli.waitFor('stdout', (out) => out.includes('"word":"second"'), 'the response of the edited code');
    const second = responses()[1]!;
    expect(second).toEqual({ word: 'second', n: 7, pid: expect.any(Number) });
    expect(second.pid).not.toBe(firstPid);
    expect(alive(firstPid)).toBe(false);
    expect(cli.stderr()).toContain('↻ src/word.ts changed');
    // Each run is framed like Lambda's, and each new process starts cold.
    expect(reports(cli.stderr())).toHaveLength(2);
    expect(reports(cli.stderr()).every((line) => line.includes('Init Duration'))).toBe(true);

    await writeFile(`${project}/src/word.ts`, 'export const word: string = ;\n');
    await cli.waitFor('stderr', (err) => err.includes('✖ Runtime.UserCodeSyntaxError: bundling'), 'the build failure');
    const failure = cli
      .stderr()
      .split('\n')
      .filter((line) => line.startsWith('✖'));
    expect(failure).toEqual([
      expect.stringMatching(
        /^✖ Runtime\.UserCodeSyntaxError: bundling src\/handler\.ts failed: Unexpected ";" \(src\/word\.ts:1:\d+\); waiting for the next change$/,
      ),
    ]);
    expect(responses()).toHaveLength(2);

    await writeFile(`${project}/src/word.ts`, "export const word: string = 'third';\n");
    await cli.waitFor('stdout', (out) => out.includes('"word":"third"'), 'the response after the fix');
    expect(responses().map((r) => r.word)).toEqual(['first', 'second', 'third']);
    const lastPid = responses()[2]!.pid;

    expect(await cli.interrupt()).toBe(130);
    expect(alive(lastPid)).toBe(false);
    expect(cli.stderr()).toContain('interrupted');
  });

  it('`tslambda dev` serves the newest code on the Invoke API', async () => {
    const functionName = `watch-dev-${process.pid}`;
    const project = await tsProject(functionName);
    const port = await freePort();
    const cli = startCli(['dev', '--cwd', project, '--no-docker', '--serve', String(port)]);
    const client = sdkClient(port);
    try {
      await cli.waitFor('stderr', (err) => count(err, 'Ready in') === 1, 'the first version ready');
      expect(await invokeWord(client, functionName)).toBe('first');
      await writeFile(`${project}/src/word.ts`, "export const word: string = 'second';\n");
      await cli.waitFor('stderr', (err) => count(err, 'Reloaded in') === 1, 'the reload');
      expect(await invokeWord(client, functionName)).toBe('second');
    } finally {
      client.destroy();
    }
    expect(await cli.interrupt()).toBe(130);
  });
});

describe('invoke-local --watch --serve in containers', runsWhen('e2e invoke-local --watch', reason), () => {
  it('rebuilds the image, replaces the container, and the next SDK call gets the new code; a broken save keeps the last good one serving', async () => {
    const functionName = `watch-docker-${process.pid}`;
    const image = `${functionName}:latest`;
    const project = await tsProject(functionName);
    const port = await freePort();
    const cli = startCli(['invoke-local', '--cwd', project, '--watch', '--serve', String(port)]);
    const client = sdkClient(port);
    try {
      await cli.waitFor('stderr', (err) => count(err, 'Ready in') === 1, 'the first image built and warm');
      expect(await invokeWord(client, functionName)).toBe('first');
      const [firstContainer] = await functionContainers(docker!, functionName);
      const firstImage = (await docker!.getImage(image).inspect()).Id;

      await writeFile(`${project}/src/word.ts`, "export const word: string = 'second';\n");
      await cli.waitFor('stderr', (err) => count(err, 'Reloaded in') === 1, 'the reload');
      expect(await invokeWord(client, functionName)).toBe('second');
      // The old container was stopped and removed before its successor started; the image it ran is gone too.
      const containers = await functionContainers(docker!, functionName);
      expect(containers).toHaveLength(1);
      expect(containers[0]).not.toBe(firstContainer);
      expect((await docker!.getImage(image).inspect()).Id).not.toBe(firstImage);
      expect(
        await docker!
          .getImage(firstImage)
          .inspect()
          .then(
            () => 'present',
            () => 'removed',
          ),
      ).toBe('removed');

      await writeFile(`${project}/src/word.ts`, 'export const word: string = ;\n');
      await cli.waitFor(
        'stderr',
        (err) => /^✖ Runtime\.UserCodeSyntaxError: bundling src\/handler\.ts failed: Unexpected ";"/m.test(err),
        'the build failure',
      );
      expect(await invokeWord(client, functionName)).toBe('second');

      await writeFile(`${project}/src/word.ts`, "export const word: string = 'third';\n");
      await cli.waitFor('stderr', (err) => count(err, 'Reloaded in') === 2, 'the reload after the fix');
      expect(await invokeWord(client, functionName)).toBe('third');
    } finally {
      client.destroy();
      const exitCode = await cli.interrupt();
      const left = await functionContainers(docker!, functionName);
      await docker!
        .getImage(image)
        .remove({ force: true })
        .catch(() => undefined);
      expect(exitCode).toBe(130);
      expect(left).toEqual([]);
    }
  });
});

/** Containers invoke-local started for this function (other suites run theirs on the same engine meanwhile). */
async function functionContainers(engine: Docker, functionName: string): Promise<string[]> {
  const containers = await engine.listContainers({ all: true, filters: { label: ['dev.tslambda.invoke-local'] } });
  const ours = await Promise.all(
    containers.map(async ({ Id }) => {
      const env = await engine
        .getContainer(Id)
        .inspect()
        .then(
          (info) => info.Config.Env,
          (): string[] => [],
        );
      return env.includes(`AWS_LAMBDA_FUNCTION_NAME=${functionName}`) ? Id : undefined;
    }),
  );
  return ours.filter((id): id is string => id !== undefined);
}

function sdkClient(port: number): LambdaClient {
  return new LambdaClient({
    endpoint: `http://127.0.0.1:${port}`,
    region: 'us-east-1',
    credentials: { accessKeyId: 'AKID', secretAccessKey: 'secret' },
  });
}

async function invokeWord(client: LambdaClient, functionName: string): Promise<string> {
  const result = await client.send(new InvokeCommand({ FunctionName: functionName, Payload: Buffer.from('{}') }));
  expect(result.FunctionError).toBeUndefined();
  return (JSON.parse(Buffer.from(result.Payload!).toString()) as { word: string }).word;
}
