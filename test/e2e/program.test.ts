// Program handlers end to end on the real engine: a Python stdio worker, the python-http example (an http.server
// behind an HTTP API v2 event, buffered and streamed) and the shell example (exec), each built by tslambda on a
// FROM-scratch base that has python3 and bash but no Node (the Node stage copies it from another local image), then
// run by invoke-local: the result, REPORT, a timeout and a crash as Lambda shows them. Also: the size the Node stage
// adds, as build reports it, and invoke-local --watch rebuilding after a save of the program.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { cp, readFile, writeFile } from 'node:fs/promises';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { ExitCode } from '../../src/core/errors.js';
import { startReleaseEnvironment } from '../support/release-environment.js';
import { runCli } from '../support/run-cli.js';
import { interruptAll, startCli } from '../support/running-cli.js';
import { makeProject } from '../support/temp-project.js';
import { dockerForTests } from '../support/docker.js';
import { runsWhen } from '../support/skips.js';

const { docker, reason } = await dockerForTests();
const BASE = 'tslambda-test-program-base:no-node';
const NODE_SOURCE = 'tslambda-test-program-base:node';
const examples = fileURLToPath(new URL('../../examples/', import.meta.url));
const script = fileURLToPath(new URL('../../scripts/program-base-image.sh', import.meta.url));
const REPORT =
  /^REPORT RequestId: [0-9a-f-]{36}\tDuration: [\d.]+ ms\tBilled Duration: \d+ ms\tMemory Size: 128 MB\tMax Memory Used: [1-9]\d* MB\t/m;

/** The images this file's builds made, removed after it. */
const built: string[] = [];

/** A copy of an example (or files) whose config builds on the local bases instead of images that cannot be pulled. */
async function project(example: string | Record<string, string>, name: string): Promise<string> {
  const dir = await makeProject(typeof example === 'string' ? {} : example);
  if (typeof example === 'string') await cp(`${examples}${example}`, dir, { recursive: true });
  const config = JSON.parse(await readFile(`${dir}/lambda.config.json`, 'utf8'));
  config.functionName = `${name}-${process.pid}`;
  built.push(`${config.functionName}:latest`);
  config.baseImage = BASE;
  config.memorySize = 128;
  config.program.nodeImage = NODE_SOURCE;
  await writeFile(`${dir}/lambda.config.json`, JSON.stringify(config));
  return dir;
}

afterEach(interruptAll);

const invoke = (dir: string, args: string[]) => runCli(['invoke-local', '--cwd', dir, ...args]);

describe('program handlers on the real engine', runsWhen('e2e program handlers', reason), () => {
  beforeAll(async () => {
    const [base, nodeSource] = await Promise.all(
      [BASE, NODE_SOURCE].map((tag) =>
        docker!
          .getImage(tag)
          .inspect()
          .catch(() => undefined),
      ),
    );
    // Made again when missing, or made before the Node source declared its NODE_VERSION as official images do.
    const declared = nodeSource?.Config.Env?.some((entry) => entry.startsWith('NODE_VERSION='));
    if (!base || !declared) await promisify(execFile)('bash', [script], { timeout: 600_000 });
  }, 660_000);
  afterAll(async () => {
    for (const image of built)
      await docker!
        .getImage(image)
        .remove({ force: true })
        .catch(() => undefined);
  });

  it('a Python stdio worker: warm result with REPORT and Init Duration, a timeout, a crash', async () => {
    const dir = await project(
      {
        'lambda.config.json': JSON.stringify({
          timeout: 2,
          program: { command: ['python3', '/opt/tslambda/runtime/adapters/stdio.py', 'app.handler'] },
        }),
        'app.py':
          'import os, time\ndef handler(event, context):\n    print("working on", event)\n    if event.get("sleep"): time.sleep(event["sleep"])\n    if event.get("crash"): os._exit(9)\n    return {"hello": event.get("name"), "id": context.aws_request_id}\n',
      },
      'py-stdio',
    );
    const ok = await invoke(dir, ['--data', '{"name":"Ada"}']);
    expect(ok.exitCode, ok.stderr).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({ hello: 'Ada' });
    expect(ok.stderr).toContain("working on {'name': 'Ada'}");
    expect(ok.stderr).toMatch(REPORT);
    expect(ok.stderr).toMatch(/Init Duration: [\d.]+ ms/);
    const slow = await invoke(dir, ['--no-build', '--data', '{"sleep":10}']);
    expect(slow.exitCode).toBe(11);
    expect(slow.stderr).toMatch(/Task timed out after 2\.00 seconds/);
    expect(slow.stderr).toMatch(/Status: timeout/);
    const crash = await invoke(dir, ['--no-build', '--data', '{"crash":true}']);
    expect(crash.exitCode).toBe(10);
    expect(crash.stdout).toContain('"errorType":"Runtime.ExitError"');
    expect(crash.stderr).toMatch(/exited with code 9 before answering/);
  }, 240_000);

  it('examples/python-http: an HTTP API v2 event in, the HTTP response out; a timeout; a crash', async () => {
    const dir = await project('python-http', 'py-http');
    const ok = await invoke(dir, ['--event', 'event.json']);
    expect(ok.exitCode, ok.stderr).toBe(0);
    const response = JSON.parse(ok.stdout);
    expect(response).toMatchObject({
      statusCode: 200,
      isBase64Encoded: false,
      headers: { 'content-type': 'application/json' },
    });
    expect(JSON.parse(response.body)).toEqual({ hello: 'Ada', path: '/greet' });
    expect(ok.stderr).toContain('GET /greet?name=Ada');
    expect(ok.stderr).toMatch(REPORT);
    const event = JSON.parse(await readFile(`${dir}/event.json`, 'utf8'));
    const slow = await invoke(dir, [
      '--no-build',
      '--data',
      JSON.stringify({ ...event, rawPath: '/slow', rawQueryString: 'seconds=10' }),
    ]);
    expect(slow.exitCode).toBe(11);
    expect(slow.stderr).toMatch(/Task timed out after 3\.00 seconds/);
    const crash = await invoke(dir, ['--no-build', '--data', JSON.stringify({ ...event, rawPath: '/crash' })]);
    expect(crash.exitCode).toBe(10);
    expect(crash.stdout).toMatch(/"errorType":"Runtime.ExitError".*exited with code 3 during the request/);
  }, 240_000);

  it('build reports the size the Node stage added, as the engine measures the images with and without it', async () => {
    const dir = await project('python-http', 'py-size');
    // The config changes between the builds below: kept out of the image, so the images differ by the stage alone.
    await writeFile(`${dir}/.dockerignore`, 'lambda.config.json\n');
    const staged = await runCli(['build', '--cwd', dir, '--json']);
    expect(staged.exitCode, staged.stderr).toBe(0);
    const report = JSON.parse(staged.stdout);
    const nodeVersion = (await docker!.getImage(NODE_SOURCE).inspect()).Config.Env.find((entry) =>
      entry.startsWith('NODE_VERSION='),
    );
    expect(report.nodeStage).toEqual({
      bytes: expect.any(Number),
      nodeImage: NODE_SOURCE,
      nodeVersion: nodeVersion?.slice('NODE_VERSION='.length),
    });
    // The same program on the base's "own" node: the image without the stage (it would not run here; it is weighed).
    const config = JSON.parse(await readFile(`${dir}/lambda.config.json`, 'utf8'));
    config.program.node = '/usr/local/bin/node';
    await writeFile(`${dir}/lambda.config.json`, JSON.stringify(config));
    const unstaged = await runCli(['build', '--cwd', dir, '--json']);
    expect(unstaged.exitCode, unstaged.stderr).toBe(0);
    const without = JSON.parse(unstaged.stdout);
    expect(without.nodeStage).toBeNull();
    expect(report.nodeStage.bytes).toBe(report.size - without.size);

    // Plain output: one line, in MB, with the version and where Node came from.
    config.program.node = 'stage';
    await writeFile(`${dir}/lambda.config.json`, JSON.stringify(config));
    const plain = await runCli(['build', '--cwd', dir]);
    expect(plain.exitCode, plain.stderr).toBe(0);
    const mb = (report.nodeStage.bytes / 1024 / 1024).toFixed(1);
    expect(plain.stderr).toContain(
      `  node stage    added Node ${report.nodeStage.nodeVersion} for the runtime loop: ${mb} MB (copied from ${NODE_SOURCE})\n`,
    );
  }, 240_000);

  it('README "Any language": the Python example ships with its two commands (deploy against the fake AWS)', async () => {
    // What a new user runs, on a copy whose bases are the local ones (the only change: nothing can be pulled here).
    const dir = await project('python-http', 'py-ship');
    const { functionName } = JSON.parse(await readFile(`${dir}/lambda.config.json`, 'utf8'));
    const release = await startReleaseEnvironment({
      docker: docker!,
      repository: functionName,
      fakeAws: { docker: docker! },
    });
    try {
      const local = await invoke(dir, ['--event', 'event.json']);
      expect(local.exitCode, local.stderr).toBe(0);
      expect(JSON.parse(local.stdout)).toMatchObject({ statusCode: 200 });

      // The first deploy of a function that does not exist yet says how to create it …
      const missing = await runCli(['deploy'], { cwd: dir, env: release.env });
      expect(missing.exitCode).toBe(ExitCode.functionNotFound);
      expect(missing.stderr).toContain('deploy --create --role <execution-role-arn>');
      // … which ships it; the function then answers through Lambda's Invoke API.
      const role = `arn:aws:iam::${release.aws.accountId}:role/python-http`;
      const created = await runCli(['deploy', '--create', '--role', role], { cwd: dir, env: release.env });
      expect(created.exitCode, created.stderr).toBe(0);
      const client = new LambdaClient(release.sdk);
      try {
        const answer = await client.send(
          new InvokeCommand({
            FunctionName: functionName,
            Payload: await readFile(`${dir}/event.json`),
            LogType: 'Tail',
          }),
        );
        const logs = Buffer.from(answer.LogResult ?? '', 'base64').toString();
        expect(answer.FunctionError, `${Buffer.from(answer.Payload ?? []).toString()}\n${logs}`).toBeUndefined();
        const response = JSON.parse(Buffer.from(answer.Payload!).toString());
        expect(response).toMatchObject({ statusCode: 200 });
        expect(JSON.parse(response.body)).toEqual({ hello: 'Ada', path: '/greet' });
      } finally {
        client.destroy();
      }
      // From then on, the documented command alone.
      const again = await runCli(['deploy'], { cwd: dir, env: release.env });
      expect(again.exitCode, again.stderr).toBe(0);
    } finally {
      await release.stop();
    }
  }, 300_000);

  it("a Dockerfile of the user's own, made with the lines `init --program --dockerfile` prints, serves the example", async () => {
    const dir = await project('python-http', 'py-own');
    const printed = await runCli(['init', '--program', '--dockerfile', '--cwd', dir]);
    expect(printed.exitCode, printed.stderr).toBe(0);
    const [before, after] = printed.stdout.split('# After your final FROM (and your own steps):\n');
    expect(after).toBeDefined();
    // The user's own steps: their base (no Node in it) and their files.
    await writeFile(`${dir}/Dockerfile`, `${before}FROM ${BASE}\nWORKDIR /var/task\nCOPY app.py /var/task/\n${after}`);
    const ok = await invoke(dir, ['--event', 'event.json']);
    expect(ok.exitCode, ok.stderr).toBe(0);
    expect(ok.stderr).toMatch(/^Building .* …$/m);
    expect(JSON.parse(JSON.parse(ok.stdout).body)).toEqual({ hello: 'Ada', path: '/greet' });
    expect(ok.stderr).toMatch(REPORT);
  }, 240_000);

  it('examples/python-http with "stream": true: the HTTP response streamed with its prelude, then REPORT', async () => {
    const dir = await project('python-http', 'py-stream');
    const config = JSON.parse(await readFile(`${dir}/lambda.config.json`, 'utf8'));
    config.program.stream = true;
    await writeFile(`${dir}/lambda.config.json`, JSON.stringify(config));
    const event = JSON.parse(await readFile(`${dir}/event.json`, 'utf8'));
    const ok = await invoke(dir, ['--data', JSON.stringify({ ...event, rawPath: '/stream', rawQueryString: '' })]);
    expect(ok.exitCode, ok.stderr).toBe(0);
    // As InvokeWithResponseStream carries an HTTP integration response: the prelude, eight zero bytes, the body.
    const [prelude, body] = ok.stdout.split('\0'.repeat(8));
    expect(JSON.parse(prelude!)).toMatchObject({ statusCode: 200, headers: { 'content-type': 'text/plain' } });
    expect(body).toBe('tick 1\ntick 2\ntick 3\n');
    expect(ok.stderr).toMatch(REPORT);
  }, 240_000);

  it('invoke-local --watch rebuilds the image after a save of the Python program and answers from the new code', async () => {
    const worker = (word: string) => `def handler(event, context):\n    return {"word": "${word}"}\n`;
    const dir = await project(
      {
        'lambda.config.json': JSON.stringify({
          timeout: 5,
          program: { command: ['python3', '/opt/tslambda/runtime/adapters/stdio.py', 'app.handler'] },
        }),
        'app.py': worker('first'),
      },
      'py-watch',
    );
    const cli = startCli(['invoke-local', '--cwd', dir, '--watch', '--data', '{}'], { waitMs: 180_000 });
    try {
      await cli.waitFor('stdout', (out) => out.includes('{"word":"first"}'), 'the first answer');
      await writeFile(`${dir}/app.py`, worker('second'));
      await cli.waitFor('stdout', (out) => out.includes('{"word":"second"}'), 'the answer of the edited program');
      expect(cli.stderr()).toContain('↻ app.py changed');
      expect(cli.stderr().match(/^REPORT /gm)).toHaveLength(2);
    } finally {
      expect(await cli.interrupt()).toBe(130);
    }
  }, 240_000);

  it('examples/shell: exec with jq, a non-zero exit, a timeout', async () => {
    const dir = await project('shell', 'shell');
    const ok = await invoke(dir, ['--data', '{"name":"Ada"}']);
    expect(ok.exitCode, ok.stderr).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({ greeting: 'hello Ada' });
    expect(ok.stderr).toMatch(/request [0-9a-f-]{36}: \{"name":"Ada"\}/);
    expect(ok.stderr).toMatch(REPORT);
    const crash = await invoke(dir, ['--no-build', '--data', '{"name":"crash"}']);
    expect(crash.exitCode).toBe(10);
    expect(crash.stdout).toMatch(/"errorType":"Runtime.ExitError".*exited with code 2.*refusing to greet crash/);
    const slow = await invoke(dir, ['--no-build', '--data', '{"name":"sleepy"}']);
    expect(slow.exitCode).toBe(11);
    expect(slow.stderr).toMatch(/Status: timeout/);
  }, 240_000);
});
