// The parts of `deploy --smoke` that need no AWS: reading the event, and the commands that undo a deploy stopped half-way.
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ExitCode, type UserError } from '../../../src/core/errors.js';
import type { FunctionView } from '../../../src/aws/lambda.js';
import { readSmokeEvent, restoreCommands } from '../../../src/pipeline/smoke.js';

const OLD = `123.dkr.ecr.us-east-1.amazonaws.com/app@sha256:${'a'.repeat(64)}`;
const NEW = `123.dkr.ecr.us-east-1.amazonaws.com/app@sha256:${'b'.repeat(64)}`;
const before = { name: 'fn', arn: 'arn', packageType: 'Image', architecture: 'x86_64', imageUri: OLD } as FunctionView;

describe('--smoke event', () => {
  it('is inline JSON or a JSON file relative to the project; anything else names the problem', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tslambda-smoke-'));
    await writeFile(join(dir, 'event.json'), '{"from":"file"}');
    await writeFile(join(dir, 'broken.json'), '{nope');
    expect(await readSmokeEvent('{"a":1}', dir)).toBe('{"a":1}');
    expect(await readSmokeEvent('[1]', dir)).toBe('[1]');
    expect(await readSmokeEvent('event.json', dir)).toBe('{"from":"file"}');
    const missing = await readSmokeEvent('absent.json', dir).catch((e: UserError) => e);
    expect(missing).toMatchObject({
      exitCode: ExitCode.usage,
      message: '--smoke absent.json: no such file, and not inline JSON',
    });
    const broken = await readSmokeEvent('broken.json', dir).catch((e: UserError) => e);
    expect(broken).toMatchObject({ exitCode: ExitCode.usage });
    expect((broken as UserError).message).toMatch(/^--smoke broken\.json is not valid JSON: /);
    expect(((await readSmokeEvent('{bad', dir).catch((e: UserError) => e)) as UserError).message).toMatch(
      /^--smoke event is not valid JSON/,
    );
  });
});

describe('restore commands', () => {
  it('name the alias move back, the alias this deploy created, and the previous digest of $LATEST', () => {
    expect(
      restoreCommands({
        name: 'fn',
        functionArn: 'arn',
        before,
        image: NEW,
        alias: { name: 'live', version: '5', previousVersion: '4', created: false },
      }),
    ).toEqual(['tslambda rollback --alias live --to 4', `tslambda rollback --to sha256:${'a'.repeat(64)}`]);
    expect(
      restoreCommands({
        name: 'fn',
        functionArn: 'arn',
        before: undefined,
        image: NEW,
        alias: { name: 'live', version: '1', created: true },
      }),
    ).toEqual(['aws lambda delete-alias --function-name fn --name live']);
    expect(
      restoreCommands({ name: 'fn', functionArn: 'arn', before: { ...before, imageUri: NEW }, image: NEW }),
    ).toEqual([]);
  });
});
