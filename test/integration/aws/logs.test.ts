// `tslambda logs` in-process against the fake CloudWatch Logs over HTTP with the real SDK: history, Live Tail, timeouts, fallback.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ExitCode } from '../../../src/core/errors.js';
import { type FakeAws, startFakeAws } from '../../support/fake-aws/index.js';
import { runCli, type CliResult } from '../../support/run-cli.js';
import { makeProject } from '../../support/temp-project.js';

const FUNCTION = 'logs-fn';
const GROUP = `/custom/${FUNCTION}`;
const stream = (version: string) => `2026/12/01/[${version}]0123456789abcdef`;
let aws: FakeAws;
let project: string;
const savedEnv = { ...process.env };

beforeAll(async () => {
  aws = await startFakeAws({ registry: { host: '127.0.0.1:5999', password: 'unused' } });
  Object.assign(process.env, aws.env);
  project = await makeProject({
    'lambda.config.json': JSON.stringify({ functionName: FUNCTION, repository: 'unused' }),
  });
});
afterAll(async () => {
  process.env = savedEnv;
  await aws.close();
});
beforeEach(() => {
  aws.reset();
  aws.lambda.addFunction({ name: FUNCTION, logGroup: GROUP });
  aws.logs.createLogGroup(GROUP);
});
afterEach(() => {
  expect(aws.unexpected).toEqual([]);
});

const lines = (result: CliResult) => result.stdout.split('\n').filter(Boolean);

/** Runs `tslambda logs …` in the background: the test acts while it follows, then presses Ctrl-C. */
function follow(args: string[]) {
  const controller = new AbortController();
  let seen = '';
  const waiters: Array<() => void> = [];
  const done = runCli(['logs', ...args], {
    cwd: project,
    signal: controller.signal,
    onStdout: (text) => {
      seen = text;
      for (const wake of waiters.splice(0)) wake();
    },
  });
  return {
    done,
    stop: () => controller.abort(new Error('interrupted')),
    /** Resolves once stdout contains `text`. */
    async printed(text: string): Promise<void> {
      while (!seen.includes(text)) await new Promise<void>((resolve) => waiters.push(resolve));
    },
  };
}

async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 10));
}

describe('tslambda logs', () => {
  it('reads the range from LoggingConfig.LogGroup across every FilterLogEvents page, in time order, as Lambda wrote the lines', async () => {
    const now = Date.now();
    aws.logs.append(GROUP, stream('$LATEST'), 'too old\n', now - 20 * 60_000);
    for (let i = 0; i < 7; i++) aws.logs.append(GROUP, stream('$LATEST'), `line ${i}\n`, now - 60_000 + i);
    aws.logs.append('/aws/lambda/other', stream('$LATEST'), 'other function\n', now);
    const result = await runCli(['logs', '--since', '5m'], { cwd: project });
    expect(result.exitCode, result.stderr).toBe(ExitCode.ok);
    expect(lines(result)).toEqual(['line 0', 'line 1', 'line 2', 'line 3', 'line 4', 'line 5', 'line 6']);
    // Seven events at three per page: three pages.
    expect(aws.operations('logs')).toEqual(['FilterLogEvents', 'FilterLogEvents', 'FilterLogEvents']);
  });

  it('--qualifier with an alias keeps the streams of the versions it routes to; --json prints one object per event', async () => {
    const fn = aws.lambda.functions.get(FUNCTION)!;
    fn.versions.push({ Version: '1' }, { Version: '2' }, { Version: '3' });
    fn.aliases.set('live', {
      AliasArn: `${fn.config.FunctionArn}:live`,
      Name: 'live',
      FunctionVersion: '2',
      Description: '',
      RevisionId: 'r',
      RoutingConfig: { AdditionalVersionWeights: { '3': 0.1 } },
    });
    const now = Date.now();
    for (const version of ['1', '2', '3', '$LATEST'])
      aws.logs.append(GROUP, stream(version), `from ${version}\n`, now - 1000);
    const result = await runCli(['logs', '--qualifier', 'live', '--json'], { cwd: project });
    expect(result.exitCode, result.stderr).toBe(ExitCode.ok);
    const events = lines(result).map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(events.map((e) => [e.version, e.message])).toEqual([
      ['2', 'from 2'],
      ['3', 'from 3'],
    ]);
    expect(events[0]).toMatchObject({
      logStreamName: stream('2'),
      timestamp: now - 1000,
      time: new Date(now - 1000).toISOString(),
    });

    const missing = await runCli(['logs', '--qualifier', 'nope'], { cwd: project });
    expect(missing.exitCode).toBe(ExitCode.usage);
    expect(missing.stderr).toContain('--qualifier nope is neither a version of logs-fn nor one of its aliases');
  });

  it('--filter passes the pattern to CloudWatch; a bad --since is a usage error naming the forms', async () => {
    aws.logs.append(GROUP, stream('1'), ['all good\n', 'ERROR boom\n'], Date.now() - 1000);
    const result = await runCli(['logs', '--filter', 'ERROR'], { cwd: project });
    expect(lines(result)).toEqual(['ERROR boom']);
    const bad = await runCli(['logs', '--since', 'yesterday'], { cwd: project });
    expect(bad.exitCode).toBe(ExitCode.usage);
    expect(bad.stderr).toContain('--since yesterday is not a duration (30s, 10m, 2h, 1d) or an ISO date');
  });

  it('--follow prints events appended after it started, in order, none lost or repeated across a Live Tail session timeout; Ctrl-C exits 130', async () => {
    aws.logs.append(GROUP, stream('1'), 'before start\n', Date.now() - 60_000);
    const run = follow(['--follow']);
    await until(() => aws.logs.sessions.size === 1);
    let t = Date.now();
    aws.logs.append(GROUP, stream('1'), 'A\n', t++);
    aws.logs.append(GROUP, stream('1'), 'B\n', t++);
    await run.printed('B\n');
    // The session ends; C arrives while no session is open, D on the reopened one.
    expect(aws.logs.timeoutLiveTail()).toBe(1);
    aws.logs.append(GROUP, stream('1'), 'C\n', t++);
    await until(() => aws.logs.sessionsOpened === 2 && aws.logs.sessions.size === 1);
    aws.logs.append(GROUP, stream('1'), 'D\n', t++);
    await run.printed('D\n');
    run.stop();
    const result = await run.done;
    expect(result.exitCode).toBe(ExitCode.interrupted);
    expect(lines(result)).toEqual(['A', 'B', 'C', 'D']);
    expect(result.stderr).toContain('Following /custom/logs-fn; Ctrl-C to stop');
    expect(aws.operations('logs').filter((op) => op === 'StartLiveTail')).toHaveLength(2);
  });

  it('--follow falls back to polling FilterLogEvents where Live Tail is refused, and says so in one line', async () => {
    aws.deny('StartLiveTail');
    const run = follow(['--follow']);
    await until(() => aws.operations('logs').includes('FilterLogEvents'));
    let t = Date.now();
    aws.logs.append(GROUP, stream('1'), ['one\n', 'two\n'], t++);
    await run.printed('two\n');
    aws.logs.append(GROUP, stream('1'), 'three\n', t++);
    await run.printed('three\n');
    run.stop();
    const result = await run.done;
    expect(result.exitCode).toBe(ExitCode.interrupted);
    expect(lines(result)).toEqual(['one', 'two', 'three']);
    expect(result.stderr).toContain(
      'warning: Live Tail is not available here (AccessDeniedException); polling FilterLogEvents instead',
    );
  });

  it('a function that has never logged has no log group: reading prints nothing, following waits for the group', async () => {
    aws.logs.groups.delete(GROUP);
    const read = await runCli(['logs'], { cwd: project });
    expect(read.exitCode, read.stderr).toBe(ExitCode.ok);
    expect(read.stdout).toBe('');
    const run = follow(['-f']);
    await until(() => aws.operations('logs').includes('StartLiveTail'));
    aws.logs.append(GROUP, stream('$LATEST'), 'first words\n');
    await run.printed('first words\n');
    run.stop();
    const result = await run.done;
    expect(result.exitCode).toBe(ExitCode.interrupted);
    expect(lines(result)).toEqual(['first words']);
    expect(result.stderr).toContain(
      'warning: log group /custom/logs-fn does not exist yet (nothing logged so far); waiting for it',
    );
  });
});
