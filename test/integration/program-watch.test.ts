// invoke-local --no-docker --watch (and `tslambda dev`) for program handlers, on the host's python3 and bash: a save
// of a program file restarts a warm program (stdio, http) and the next answer comes from the new code; an exec
// program needs no restart. Every wait is bounded and watches the CLI's output.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cp, readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { freeFixedPort, freePort } from '../support/net.js';
import { interruptAll, startCli } from '../support/running-cli.js';
import { makeProject } from '../support/temp-project.js';
import { runsWhen } from '../support/skips.js';

afterEach(interruptAll);

const missing = (tool: string) => {
  try {
    execFileSync(tool, ['--version'], { stdio: 'ignore' });
    return undefined;
  } catch {
    return `${tool} is not on PATH`;
  }
};
const noPython = missing('python3');
const noBash = missing('bash');
const examples = fileURLToPath(new URL('../../examples/', import.meta.url));

/** Running, as opposed to gone or a zombie (killed, and not yet reaped by whichever process inherited it). */
const alive = (pid: number) => {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
};
const lines = (text: string) =>
  text
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as { word: string; pid: number; loop?: number });
const count = (text: string, needle: string) => text.split(needle).length - 1;

const pythonWorker = (word: string) =>
  `import os\nWORD = '${word}'\ndef handler(event, context):\n    return {'word': WORD, 'pid': os.getpid()}\n`;

describe(
  'invoke-local --no-docker --watch: a Python stdio worker',
  runsWhen('program watch (python)', noPython),
  () => {
    it('restarts the program after each save and invokes again: the new answer, from a new process', async () => {
      const project = await makeProject({
        'lambda.config.json': JSON.stringify({
          functionName: `watch-py-${process.pid}`,
          timeout: 10,
          program: { command: ['python3', '/opt/tslambda/runtime/adapters/stdio.py', 'app.handler'], awaitReady: true },
        }),
        'app.py': pythonWorker('first'),
      });
      const cli = startCli(['invoke-local', '--cwd', project, '--no-docker', '--watch', '--data', '{}']);
      await cli.waitFor('stdout', (out) => out.includes('"word":"first"'), 'the first answer');
      expect(cli.stderr()).toContain("Watching the program's folder");
      const first = lines(cli.stdout())[0]!;

      await writeFile(`${project}/app.py`, pythonWorker('second'));
      await cli.waitFor('stdout', (out) => out.includes('"word":"second"'), 'the answer of the edited program');
      expect(cli.stderr()).toContain('↻ app.py changed');
      const second = lines(cli.stdout())[1]!;
      expect(second.pid).not.toBe(first.pid);
      expect(alive(first.pid)).toBe(false);

      // Python's bytecode cache, written as the program loads, is not a save: one answer per edit, no extra restart.
      await writeFile(`${project}/app.py`, pythonWorker('third'));
      await cli.waitFor('stdout', (out) => out.includes('"word":"third"'), 'the answer after a second edit');
      expect(lines(cli.stdout()).map((answer) => answer.word)).toEqual(['first', 'second', 'third']);
      expect(
        cli
          .stderr()
          .split('\n')
          .filter((line) => line.startsWith('REPORT ')),
      ).toHaveLength(3);
      const last = lines(cli.stdout())[2]!.pid;

      expect(await cli.interrupt()).toBe(130);
      expect(alive(last)).toBe(false);
    });

    it('`tslambda dev` keeps serving examples/python-http (http) and the next call after a save runs the new code', async () => {
      const project = await makeProject({});
      await cp(`${examples}python-http`, project, { recursive: true });
      const functionName = `watch-http-${process.pid}`;
      const config = JSON.parse(await readFile(`${project}/lambda.config.json`, 'utf8'));
      await writeFile(
        `${project}/lambda.config.json`,
        JSON.stringify({ ...config, functionName, program: { ...config.program, port: await freeFixedPort() } }),
      );
      const event = await readFile(`${project}/event.json`);
      const port = await freePort();
      const cli = startCli(['dev', '--cwd', project, '--no-docker', '--serve', String(port)]);
      const client = new LambdaClient({
        endpoint: `http://127.0.0.1:${port}`,
        region: 'us-east-1',
        credentials: { accessKeyId: 'AKID', secretAccessKey: 'secret' },
      });
      const call = async () => {
        const result = await client.send(new InvokeCommand({ FunctionName: functionName, Payload: event }));
        expect(result.FunctionError).toBeUndefined();
        const response = JSON.parse(Buffer.from(result.Payload!).toString()) as { statusCode: number; body: string };
        expect(response.statusCode).toBe(200);
        return JSON.parse(response.body) as Record<string, string>;
      };
      try {
        await cli.waitFor('stderr', (err) => count(err, 'Ready in') === 1, 'the server ready');
        expect(await call()).toEqual({ hello: 'Ada', path: '/greet' });
        const app = await readFile(`${project}/app.py`, 'utf8');
        expect(app).toContain("{'hello':");
        await writeFile(`${project}/app.py`, app.replace("{'hello':", "{'hi':"));
        await cli.waitFor('stderr', (err) => count(err, 'Reloaded in') === 1, 'the server restarted');
        expect(await call()).toEqual({ hi: 'Ada', path: '/greet' });
      } finally {
        client.destroy();
      }
      expect(await cli.interrupt()).toBe(130);
    });
  },
);

describe('invoke-local --no-docker --watch: a bash exec program', runsWhen('program watch (bash)', noBash), () => {
  it('invokes the edited script again without restarting the environment', async () => {
    const script = (word: string) => `cat >/dev/null\nprintf '{"word":"${word}","pid":%d,"loop":%d}' $$ $PPID\n`;
    const project = await makeProject({
      'lambda.config.json': JSON.stringify({
        functionName: `watch-sh-${process.pid}`,
        timeout: 10,
        program: { command: ['bash', 'handler.sh'], protocol: 'exec' },
      }),
      'handler.sh': script('first'),
    });
    const cli = startCli(['invoke-local', '--cwd', project, '--no-docker', '--watch', '--data', '{}']);
    await cli.waitFor('stdout', (out) => out.includes('"word":"first"'), 'the first answer');
    await writeFile(`${project}/handler.sh`, script('second'));
    await cli.waitFor('stdout', (out) => out.includes('"word":"second"'), 'the answer of the edited script');
    expect(cli.stderr()).toContain('↻ handler.sh changed');
    expect(cli.stderr()).toContain('nothing to restart');
    const [first, second] = lines(cli.stdout());
    // The same runtime loop ran both: only the script's process is new.
    expect(second!.loop).toBe(first!.loop);
    expect(second!.pid).not.toBe(first!.pid);
    expect(await cli.interrupt()).toBe(130);
  });
});
