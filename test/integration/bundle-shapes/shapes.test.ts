// Every handler shape of issue 9 run four ways and held to the unbundled runtime loop: the folder as written
// (the reference), `invoke-local --no-docker` (bundled, or shipped unbundled with a line saying why),
// `invoke-local --no-docker --no-bundle`, and the output of `tslambda bundle` run by the runtime loop.
// Handlers that can never load are refused before anything is built, naming Lambda's own error.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../support/run-cli.js';
import { makeProject } from '../../support/temp-project.js';
import { answerOf, runUnbundled, type Answer } from './run.js';
import { SHAPES, type Shape } from './shapes.js';

async function project(shape: Shape): Promise<string> {
  return makeProject({
    ...shape.files,
    'lambda.config.json': JSON.stringify({ functionName: 'shape', handler: shape.handler }),
  });
}

/** What invoke-local printed: the response on stdout, or the error document on stdout with its exit code. */
function cliAnswer(result: { exitCode: number; stdout: string }, root: string): Answer {
  if (result.exitCode === 0) return { payload: result.stdout, initFailed: false };
  const error = JSON.parse(result.stdout) as { errorType: string };
  return answerOf(Buffer.from(result.stdout), error.errorType, result.exitCode === 12, root);
}

const exitCodeOf = (answer: Answer) => (answer.errorType === undefined ? 0 : answer.initFailed ? 12 : 10);
/** The line that names the problem: the error line, or for a config error the key's line under it. */
const firstLine = (text: string) =>
  text.split('\n').find((line) => line.includes('Runtime.') || /^\s+handler: /.test(line)) ?? text;

describe.each(SHAPES.filter((shape) => !shape.refused))('$name', (shape) => {
  it('answers the same in every mode as the unbundled runtime loop', { timeout: 60_000 }, async () => {
    const root = await project(shape);
    const event = JSON.stringify(shape.event ?? {});
    const reference = await runUnbundled(root, shape.handler, shape.event);
    if (shape.response !== undefined)
      expect([reference.payload, reference.errorType, reference.errorMessage]).toEqual([
        shape.response,
        undefined,
        undefined,
      ]);
    if (shape.errorType !== undefined) expect(reference.errorType).toBe(shape.errorType);

    const bundled = await runCli(['invoke-local', '--no-docker', '--data', event], { cwd: root });
    expect(cliAnswer(bundled, root), bundled.stderr).toEqual(reference);
    expect(bundled.exitCode).toBe(exitCodeOf(reference));
    if (shape.unbundled)
      expect(bundled.stderr).toMatch(new RegExp(`running the function unbundled: .*${shape.unbundled.source}`));
    else expect(bundled.stderr).not.toMatch(/unbundled/);

    const asWritten = await runCli(['invoke-local', '--no-docker', '--no-bundle', '--data', event], { cwd: root });
    expect(cliAnswer(asWritten, root), asWritten.stderr).toEqual(reference);

    const outDir = join(root, 'out');
    const written = await runCli(['bundle', '--out-dir', outDir, '--json'], { cwd: root });
    expect(written.exitCode, written.stderr).toBe(0);
    const summary = JSON.parse(written.stdout) as { handler: string; bundled: boolean };
    expect(summary.bundled).toBe(!shape.unbundled);
    const fromBundle = await runUnbundled(outDir, summary.handler, shape.event);
    expect({ ...fromBundle, errorMessage: fromBundle.errorMessage?.replaceAll('<root>', '<out>') }).toEqual({
      ...reference,
      errorMessage: reference.errorMessage?.replaceAll('<root>', '<out>'),
    });
  });
});

describe.each(SHAPES.filter((shape) => shape.refused))('$name', (shape) => {
  it('is refused before anything is built, naming the error Lambda reports', { timeout: 60_000 }, async () => {
    const root = await project(shape);
    const refused = shape.refused!;
    const reference = await runUnbundled(root, shape.handler, shape.event);
    expect(reference.errorType).toBe(refused.error);

    for (const args of [
      ['invoke-local', '--no-docker', '--data', '{}'],
      ['bundle', '--out-dir', join(root, 'out')],
    ]) {
      const result = await runCli(args, { cwd: root });
      expect(result.exitCode, result.stderr).toBe(refused.exitCode);
      expect(firstLine(result.stderr)).toContain(refused.line ?? refused.error);
      expect(result.stdout).toBe('');
    }
  });
});

it('the bundle of a CommonJS entry is CommonJS: module.exports is the module the handler string names', async () => {
  const root = await project(SHAPES[0]!);
  const outDir = join(root, 'out');
  expect((await runCli(['bundle', '--out-dir', outDir], { cwd: root })).exitCode).toBe(0);
  const text = await readFile(join(outDir, 'index.cjs'), 'utf8');
  expect(text).toMatch(/exports\.handler/);
  expect(text).not.toMatch(/\bexport\b|import\.meta/);
});
