// Contract of the runtime's console records: TEXT and JSON formats, request ids, multi-line messages and level
// filtering, as they reach stdout of the real loop, on every Node version.
import { describe, expect, it } from 'vitest';
import { forEachNode, type NodeBinary } from './support/node-binaries.js';
import { RuntimeApiServer } from './support/runtime-api-server.js';
import { removeTaskRoot, startRuntime, writeTaskRoot } from './support/runtime-process.js';

const handler = `
console.log('loading');
exports.handler = async (event) => {
  console.trace('t');
  console.debug('d');
  console.info('i', 1);
  console.log('hello %s', 'wörld', { a: 1 });
  console.warn('line one\\nline two');
  console.error(new TypeError('bad'));
  console.log({ structured: ['yes'] });
  return 'ok';
};
`;

async function logsOf(node: NodeBinary, env: Record<string, string>): Promise<{ lines: string[]; requestId: string }> {
  const api = await RuntimeApiServer.start();
  const root = writeTaskRoot({ 'index.js': handler });
  const runtime = startRuntime({ node: node.path, api: api.address, taskRoot: root, handler: 'index.handler', env });
  const outcome = await api.invoke({});
  expect(outcome.body.toString()).toBe('"ok"');
  const exit = await runtime.stop();
  await api.close();
  removeTaskRoot(root);
  expect(exit.stderr).toBe('');
  return { lines: exit.stdout.split('\n').filter((l) => l !== ''), requestId: outcome.requestId };
}

const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

forEachNode(describe, describe.skip, it, (node) => {
  it('writes TEXT records: timestamp, request id, level, message; one line per call', async () => {
    const { lines, requestId } = await logsOf(node, {});
    const records = lines.map((l) => l.split('\t'));
    for (const record of records) {
      expect(record).toHaveLength(4);
      expect(record[0]).toMatch(ISO);
    }
    expect(records.map((r) => [r[1], r[2]])).toEqual([
      ['undefined', 'INFO'],
      [requestId, 'TRACE'],
      [requestId, 'DEBUG'],
      [requestId, 'INFO'],
      [requestId, 'INFO'],
      [requestId, 'WARN'],
      [requestId, 'ERROR'],
      [requestId, 'INFO'],
    ]);
    expect(records[0][3]).toBe('loading');
    expect(records[3][3]).toBe('i 1');
    expect(records[4][3]).toBe('hello wörld { a: 1 }');
    // A multi-line message stays one record: newlines become carriage returns.
    expect(records[5][3]).toBe('line one\rline two');
    expect(records[6][3]).toMatch(/^TypeError: bad\r {4}at /);
  });

  it('writes JSON records with AWS_LAMBDA_LOG_FORMAT=JSON, keeping one structured value structured', async () => {
    const { lines, requestId } = await logsOf(node, { AWS_LAMBDA_LOG_FORMAT: 'JSON' });
    const records = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    for (const record of records) expect(record.timestamp).toMatch(ISO);
    expect(records[0]).toEqual({ timestamp: records[0].timestamp, level: 'INFO', message: 'loading' });
    expect(records[4]).toMatchObject({ level: 'INFO', requestId, message: 'hello wörld { a: 1 }' });
    expect(records[5]).toMatchObject({ level: 'WARN', message: 'line one\nline two' });
    expect(records[6]).toMatchObject({ level: 'ERROR', requestId, errorType: 'TypeError', errorMessage: 'bad' });
    expect((records[6].stackTrace as string[])[0]).toBe('TypeError: bad');
    expect(records[7]).toMatchObject({ level: 'INFO', message: { structured: ['yes'] } });
  });

  it('drops records below AWS_LAMBDA_LOG_LEVEL', async () => {
    const { lines } = await logsOf(node, { AWS_LAMBDA_LOG_LEVEL: 'WARN', AWS_LAMBDA_LOG_FORMAT: 'JSON' });
    expect(lines.map((l) => (JSON.parse(l) as { level: string }).level)).toEqual(['WARN', 'ERROR']);
  });

  it('logs a failed invocation as one ERROR record, structured in JSON', async () => {
    for (const format of ['TEXT', 'JSON']) {
      const api = await RuntimeApiServer.start();
      const root = writeTaskRoot({ 'index.js': `exports.handler = async () => { throw new TypeError('nope'); };` });
      const runtime = startRuntime({
        node: node.path,
        api: api.address,
        taskRoot: root,
        handler: 'index.handler',
        env: { AWS_LAMBDA_LOG_FORMAT: format },
      });
      const { requestId } = await api.invoke({});
      const exit = await runtime.stop();
      await api.close();
      removeTaskRoot(root);
      const lines = exit.stdout.split('\n').filter((l) => l !== '');
      expect(lines).toHaveLength(1);
      if (format === 'TEXT') {
        const [, id, level, message] = lines[0].split('\t');
        expect([id, level, message]).toEqual([requestId, 'ERROR', 'Invoke Error ']);
        expect(JSON.parse(lines[0].split('\t')[4])).toMatchObject({ errorType: 'TypeError', errorMessage: 'nope' });
      } else {
        expect(JSON.parse(lines[0])).toMatchObject({
          level: 'ERROR',
          requestId,
          message: 'Invoke Error',
          errorType: 'TypeError',
          errorMessage: 'nope',
        });
      }
    }
  });
});

// invoke-local's log fence: with _TSLAMBDA_LOG_FENCE=1 the loop writes one fence line to each stream before it
// answers and names it in a header, and the variable never reaches the handler.
const fenced = `
exports.handler = async (event) => {
  console.log('out line');
  console.error('err line');
  if (event.fail) throw new Error('no');
  return process.env._TSLAMBDA_LOG_FENCE ?? 'unset';
};
`;

forEachNode(describe, describe.skip, it, (node) => {
  it('fences its logs for invoke-local, before the response and before an error', async () => {
    const api = await RuntimeApiServer.start();
    const root = writeTaskRoot({ 'index.js': fenced });
    const runtime = startRuntime({
      node: node.path,
      api: api.address,
      taskRoot: root,
      handler: 'index.handler',
      env: { _TSLAMBDA_LOG_FENCE: '1' },
    });
    const ok = await api.invoke({});
    const failed = await api.invoke({ fail: true });
    const exit = await runtime.stop();
    await api.close();
    removeTaskRoot(root);
    expect(ok.body.toString()).toBe('"unset"');
    expect(ok.headers['tslambda-log-fence']).toBe(ok.requestId);
    expect(failed.headers['tslambda-log-fence']).toBe(failed.requestId);
    const fence = (id: string) => `\u001etslambda-log-fence ${id}`;
    // Console records all go to stdout (as on Lambda); each fence follows its invocation's records there,
    // and stands alone on stderr.
    const out = exit.stdout.split('\n').filter((l) => l !== '');
    expect(out.map((l) => (l.startsWith('\u001e') ? l : l.split('\t')[3]))).toEqual([
      'out line',
      'err line',
      fence(ok.requestId),
      'out line',
      'err line',
      expect.stringMatching(/^Invoke Error /),
      fence(failed.requestId),
    ]);
    expect(exit.stderr).toBe(`${fence(ok.requestId)}\n${fence(failed.requestId)}\n`);
  });

  it('writes no fence and sends no fence header without the variable', async () => {
    const api = await RuntimeApiServer.start();
    const root = writeTaskRoot({ 'index.js': fenced });
    const runtime = startRuntime({
      node: node.path,
      api: api.address,
      taskRoot: root,
      handler: 'index.handler',
      env: {},
    });
    const ok = await api.invoke({});
    const exit = await runtime.stop();
    await api.close();
    removeTaskRoot(root);
    expect(ok.headers['tslambda-log-fence']).toBeUndefined();
    expect(exit.stdout + exit.stderr).not.toContain('tslambda-log-fence');
  });
});
