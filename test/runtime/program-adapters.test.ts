// The reference adapters shipped in runtime/adapters/ under one contract, each driven by the real runtime loop:
// echo (UTF-8, escapes), an error, a log line, the context, a 6 MB event. Python and bash run on the host; the Julia
// adapter runs through a stand-in (test/fixtures/programs/julia-standin.py) that follows stdio.jl step by step,
// since no julia binary exists here. The R adapter is not run (no R here).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ADAPTERS, eventually, startProgram, type ProgramRuntime } from './support/program-runtime.js';

const fixture = (name: string) =>
  readFileSync(fileURLToPath(new URL(`../fixtures/programs/${name}`, import.meta.url)), 'utf8');

const PYTHON_APP = `
import sys
def handler(event, context):
    if event.get('op') == 'fail': raise ValueError('requested failure')
    if event.get('op') == 'log': print('log from handler')
    if event.get('op') == 'context': return {'requestId': context.aws_request_id, 'traceId': context.trace_id}
    return event
`;

const BASH_HANDLER = `
handler() {
  case "$1" in
    *'"op":"fail"'*) echo 'requested failure' >&2; return 3 ;;
    *'"op":"log"'*) echo 'log from handler' >&2 ;;
    *'"op":"context"'*) printf '%s' "$2"; return 0 ;;
  esac
  printf '%s' "$1"
}
`;

interface Adapter {
  name: string;
  command: string[];
  files: Record<string, string>;
  errorType: string;
}

const adapters: Adapter[] = [
  {
    name: 'python',
    command: ['python3', `${ADAPTERS}stdio.py`, 'app.handler'],
    files: { 'app.py': PYTHON_APP },
    errorType: 'ValueError',
  },
  {
    name: 'bash',
    command: ['bash', `${ADAPTERS}stdio.sh`, 'handler.sh'],
    files: { 'handler.sh': BASH_HANDLER },
    errorType: 'HandlerError',
  },
  {
    name: 'julia (stand-in)',
    command: ['python3', 'standin.py'],
    files: { 'standin.py': fixture('julia-standin.py') },
    errorType: 'ValueError',
  },
];

for (const adapter of adapters) {
  describe(`${adapter.name} stdio adapter`, () => {
    let p: ProgramRuntime;
    beforeAll(async () => {
      p = await startProgram({ command: adapter.command, protocol: 'stdio', awaitReady: true }, adapter.files);
    });
    afterAll(() => p.stop());

    it('returns the event it was given, escapes and UTF-8 intact', async () => {
      const event = { op: 'echo', text: 'héllo "quoted" \\ back\nslash\t☃ 𝄞', n: [1, 2.5, null, true] };
      const outcome = await p.api.invoke(event);
      expect(outcome.kind).toBe('response');
      expect(JSON.parse(outcome.body.toString())).toEqual(event);
    });

    it('turns a failure into a Function error', async () => {
      const outcome = await p.api.invoke({ op: 'fail' });
      expect(outcome.kind).toBe('error');
      const body = JSON.parse(outcome.body.toString());
      expect(body.errorType).toBe(adapter.errorType);
      expect(outcome.headers['lambda-runtime-function-error-type']).toBe(`Function.${adapter.errorType}`);
      expect(body.errorMessage).toMatch(adapter.name === 'bash' ? 'handler exited with status 3' : 'requested failure');
      expect((await p.api.invoke({ op: 'echo' })).kind).toBe('response');
    });

    it('logs what the handler prints', async () => {
      const outcome = await p.api.invoke({ op: 'log' });
      expect(outcome.kind).toBe('response');
      await eventually(() => p.runtime.stdout() + p.runtime.stderr(), 'log from handler');
    });

    it('hands the handler the context of the invocation', async () => {
      const trace = 'Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1';
      const outcome = await p.api.invoke({ op: 'context' }, { 'Lambda-Runtime-Trace-Id': trace });
      expect(JSON.parse(outcome.body.toString())).toMatchObject({ requestId: outcome.requestId, traceId: trace });
    });

    it('carries an event of nearly 6 MB', async () => {
      const event = { op: 'echo', pad: 'x'.repeat(6 * 1024 * 1024 - 100) };
      const outcome = await p.api.invoke(event);
      expect(outcome.kind).toBe('response');
      expect(outcome.body.length).toBe(JSON.stringify(event).length);
    });
  });
}
