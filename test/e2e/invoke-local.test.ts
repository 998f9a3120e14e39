// invoke-local end to end: an image built by tslambda from test/fixtures/invoke-local, run by the real
// engine against the emulator; --serve driven by the AWS SDK; --no-docker with the same function.

import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { cp, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type Docker from 'dockerode';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { freePort } from '../support/net.js';
import { runCli } from '../support/run-cli.js';
import { makeProject } from '../support/temp-project.js';
import { BASE_IMAGE, dockerForTests } from '../support/docker.js';
import { runsWhen } from '../support/skips.js';

const fixture = fileURLToPath(new URL('../fixtures/invoke-local/app', import.meta.url));
const { docker, reason } = await dockerForTests();
const functionName = `il-e2e-${process.pid}`;
let project: string;

const report =
  /^REPORT RequestId: ([0-9a-f-]{36})\tDuration: [\d.]+ ms\tBilled Duration: \d+ ms\tMemory Size: 128 MB\tMax Memory Used: (\d+) MB\t(Init Duration: [\d.]+ ms\t)?/m;
const reports = (stderr: string) => stderr.split('\n').filter((line) => line.startsWith('REPORT '));
const invoke = (args: string[], options: Parameters<typeof runCli>[1] = {}) =>
  runCli(['invoke-local', '--cwd', project, ...args], options);

/** This file's containers only (they carry the function's name from its image): other runs share the engine. */
async function leftoverContainers(engine: Docker): Promise<number> {
  const label = ['dev.tslambda.invoke-local', `org.opencontainers.image.title=${functionName}`];
  return (await engine.listContainers({ all: true, filters: { label } })).length;
}

beforeAll(async () => {
  project = await makeProject({
    'lambda.config.json': JSON.stringify({
      functionName,
      handler: 'index.handler',
      baseImage: BASE_IMAGE,
      timeout: 2,
      memorySize: 128,
      environment: { FROM_CONFIG: 'config' },
    }),
    'dev.env': '# for --env-file\nFROM_FILE="file value"\nFROM_CONFIG=overridden by the file\n',
  });
  await cp(fixture, project, { recursive: true });
});

describe('invoke-local in a container', runsWhen('e2e invoke-local', reason), () => {
  afterEach(async () => {
    expect(await leftoverContainers(docker!)).toBe(0);
  });
  afterAll(async () => {
    await docker!
      .getImage(`${functionName}:latest`)
      .remove({ force: true })
      .catch(() => undefined);
  });

  it('builds, invokes, prints exactly the response on stdout and the framed logs on stderr', async () => {
    const result = await invoke(['--data', '{"action":"log","lines":["first line","second line"]}']);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toBe('{"logged":2}');
    const requestId = /START RequestId: ([0-9a-f-]{36}) Version: \$LATEST\n/.exec(result.stderr)![1];
    const framed = result.stderr.slice(result.stderr.indexOf('START RequestId'));
    expect(framed).toMatch(
      new RegExp(
        `^START RequestId: ${requestId} Version: \\$LATEST\\n.*\\tINFO\\tfirst line\\n.*\\tINFO\\tsecond line\\n.*\\tERROR\\tto stderr\\nEND RequestId: ${requestId}\\nREPORT RequestId: ${requestId}\\t`,
      ),
    );
    const [, , maxMemory, init] = report.exec(result.stderr)!;
    expect(Number(maxMemory)).toBeGreaterThan(0);
    expect(init).toMatch(/^Init Duration/);
  });

  it('reads the event from --event and stdin', async () => {
    await writeFile(`${project}/event.json`, '{"from":"file"}');
    expect((await invoke(['--no-build', '--event', 'event.json'])).stdout).toBe('{"echo":{"from":"file"}}');
    expect((await invoke(['--no-build'], { stdin: '{"from":"stdin"}' })).stdout).toBe('{"echo":{"from":"stdin"}}');
  });

  it("gives the function the environment Lambda sets, the config's, --env-file's and --env's, and credentials only when asked", async () => {
    const names = [
      'AWS_LAMBDA_FUNCTION_NAME',
      'AWS_LAMBDA_FUNCTION_VERSION',
      'AWS_LAMBDA_FUNCTION_MEMORY_SIZE',
      'AWS_LAMBDA_LOG_GROUP_NAME',
      'AWS_REGION',
      'TZ',
      'FROM_CONFIG',
      'FROM_FILE',
      'FROM_FLAG',
      'AWS_ACCESS_KEY_ID',
    ];
    const data = JSON.stringify({ action: 'env', names });
    const env = {
      AWS_ACCESS_KEY_ID: 'AKIDLOCALTEST',
      AWS_SECRET_ACCESS_KEY: 'local-secret',
      AWS_REGION: 'eu-central-1',
    };
    const plain = await invoke(['--no-build', '--data', data, '--env-file', 'dev.env', '--env', 'FROM_FLAG=flag'], {
      env,
    });
    expect(JSON.parse(plain.stdout)).toEqual({
      AWS_LAMBDA_FUNCTION_NAME: functionName,
      AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '128',
      AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${functionName}`,
      AWS_REGION: 'eu-central-1',
      TZ: ':UTC',
      FROM_CONFIG: 'overridden by the file',
      FROM_FILE: 'file value',
      FROM_FLAG: 'flag',
      AWS_ACCESS_KEY_ID: null,
    });
    const withCredentials = await invoke(['--no-build', '--data', data, '--pass-aws-credentials'], { env });
    expect(JSON.parse(withCredentials.stdout).AWS_ACCESS_KEY_ID).toBe('AKIDLOCALTEST');
    expect(withCredentials.stderr).not.toContain('local-secret');
  });

  it('exits 10 on a function error, with the error document on stdout', async () => {
    const result = await invoke(['--no-build', '--data', '{"action":"throw","message":"no stock"}']);
    expect(result.exitCode).toBe(10);
    expect(JSON.parse(result.stdout)).toMatchObject({ errorType: 'TypeError', errorMessage: 'no stock' });
    expect(result.stderr).toContain('error: the function failed with TypeError: no stock');
  });

  it('stops the container at the timeout and exits 11 with Task timed out', async () => {
    const result = await invoke(['--no-build', '--data', '{"action":"sleep","ms":20000}']);
    expect(result.exitCode).toBe(11);
    expect(JSON.parse(result.stdout)).toMatchObject({
      errorType: 'Sandbox.Timedout',
      errorMessage: expect.stringMatching(/Task timed out after 2\.00 seconds$/),
    });
    expect(result.stderr).toMatch(/Z [0-9a-f-]{36} Task timed out after 2\.00 seconds\nEND RequestId/);
    expect(reports(result.stderr)[0]).toContain('Status: timeout');
  });

  it('exits 12 with Runtime.OutOfMemory when the function outgrows memorySize', async () => {
    const result = await invoke(['--no-build', '--data', '{"action":"memory"}']);
    expect(result.exitCode).toBe(12);
    expect(JSON.parse(result.stdout)).toMatchObject({
      errorType: 'Runtime.OutOfMemory',
      errorMessage: expect.stringMatching(/signal: killed$/),
    });
    expect(reports(result.stderr)[0]).toMatch(/Max Memory Used: 128 MB/);
  });

  it('exits 12 with Runtime.ExitError when the runtime exits mid-invocation', async () => {
    const result = await invoke(['--no-build', '--data', '{"action":"exit","code":4}']);
    expect(result.exitCode).toBe(12);
    expect(JSON.parse(result.stdout)).toMatchObject({
      errorType: 'Runtime.ExitError',
      errorMessage: expect.stringMatching(/Runtime exited with error: exit status 4$/),
    });
  });

  it('--repeat invokes in one warm container: Init Duration on the first report only', async () => {
    const result = await invoke(['--no-build', '--data', '{"n":1}', '--repeat', '3']);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toBe('{"echo":{"n":1}}'.repeat(3));
    const lines = reports(result.stderr);
    expect(lines).toHaveLength(3);
    expect(lines.map((line) => line.includes('Init Duration'))).toEqual([true, false, false]);
  });

  it('--json wraps the response, the outcome and the timings', async () => {
    const result = await invoke(['--no-build', '--data', '{"j":1}', '--json']);
    expect(result.exitCode).toBe(0);
    const parsed = JSON.parse(result.stdout);
    expect(parsed).toMatchObject({
      ok: true,
      outcome: 'success',
      response: { echo: { j: 1 } },
      report: { memorySizeMb: 128 },
    });
    expect(parsed.report.initDurationMs).toBeGreaterThan(0);
  });

  it('removes the container when interrupted mid-invocation', async () => {
    const controller = new AbortController();
    const running = invoke(['--no-build', '--data', '{"action":"sleep","ms":1500}'], { signal: controller.signal });
    // Interrupt once the container exists.
    while ((await leftoverContainers(docker!)) === 0) await new Promise((resolve) => setTimeout(resolve, 50));
    controller.abort();
    expect((await running).exitCode).toBe(130);
  });

  it('--serve answers the AWS SDK: RequestResponse, Tail, function errors, Event and DryRun', async () => {
    const port = await freePort();
    const controller = new AbortController();
    const serving = invoke(['--no-build', '--serve', String(port), '--concurrency', '2'], {
      signal: controller.signal,
    });
    const client = new LambdaClient({
      endpoint: `http://127.0.0.1:${port}`,
      region: 'us-east-1',
      credentials: { accessKeyId: 'AKID', secretAccessKey: 'secret' },
    });
    const send = (input: ConstructorParameters<typeof InvokeCommand>[0]) => client.send(new InvokeCommand(input));
    try {
      await waitForServer(() => send({ FunctionName: functionName, InvocationType: 'DryRun' }));
      expect(await leftoverContainers(docker!)).toBe(2);
      const ok = await send({
        FunctionName: functionName,
        LogType: 'Tail',
        Payload: Buffer.from('{"action":"log","lines":["served"]}'),
      });
      expect(ok.StatusCode).toBe(200);
      expect(JSON.parse(Buffer.from(ok.Payload!).toString())).toEqual({ logged: 1 });
      expect(Buffer.from(ok.LogResult!, 'base64').toString()).toMatch(
        /INFO\tserved\n[\s\S]*END RequestId: .*\nREPORT RequestId: /,
      );
      const failed = await send({ FunctionName: 'function', Payload: Buffer.from('{"action":"throw"}') });
      expect(failed.FunctionError).toBe('Unhandled');
      expect(JSON.parse(Buffer.from(failed.Payload!).toString()).errorType).toBe('TypeError');
      expect(
        (await send({ FunctionName: functionName, InvocationType: 'Event', Payload: Buffer.from('{}') })).StatusCode,
      ).toBe(202);
      expect((await send({ FunctionName: functionName, InvocationType: 'DryRun' })).StatusCode).toBe(204);
    } finally {
      client.destroy();
      controller.abort();
    }
    // Stopped by Ctrl-C: interrupted, as every command (issue 10 item 5).
    expect((await serving).exitCode).toBe(130);
  });
});

describe('invoke-local --no-docker', () => {
  it('runs the same function as a host process: a value, an error, a timeout, an exit', async () => {
    const value = await invoke(['--no-docker', '--data', '{"host":true}']);
    expect(value.exitCode).toBe(0);
    expect(value.stdout).toBe('{"echo":{"host":true}}');
    expect(value.stderr).toMatch(report);

    const thrown = await invoke(['--no-docker', '--data', '{"action":"throw"}']);
    expect(thrown.exitCode).toBe(10);
    expect(JSON.parse(thrown.stdout).errorType).toBe('TypeError');

    const timedOut = await invoke(['--no-docker', '--data', '{"action":"sleep","ms":20000}']);
    expect(timedOut.exitCode).toBe(11);

    const exited = await invoke(['--no-docker', '--data', '{"action":"exit","code":5}']);
    expect(exited.exitCode).toBe(12);
    expect(JSON.parse(exited.stdout).errorMessage).toMatch(/exit status 5$/);
  });
});

async function waitForServer(attempt: () => Promise<unknown>): Promise<void> {
  for (let tries = 0; ; tries++) {
    try {
      await attempt();
      return;
    } catch (error) {
      if (tries > 200) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}
