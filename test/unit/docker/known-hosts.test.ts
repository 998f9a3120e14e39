// The ssh host key check of ssh:// engines against known_hosts files, compared with OpenSSH's own lookup
// (`ssh-keygen -F`) on the same file, hashed entries included.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hostKeyCheck } from '../../../src/docker/known-hosts.js';
import { runsWhen } from '../../support/skips.js';

const run = promisify(execFile);
const sshKeygen = await run('ssh-keygen', ['-F', 'probe', '-f', '/dev/null']).then(
  () => undefined,
  (error: NodeJS.ErrnoException) => (error.code === 'ENOENT' ? 'ssh-keygen is not installed' : undefined),
);

describe('known_hosts check for ssh:// engines', runsWhen('known_hosts (ssh-keygen)', sshKeygen), () => {
  let dir: string;
  let file: string;
  const keys: Record<'one' | 'two', { line: string; blob: Buffer }> = {} as never;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tslambda-known-hosts-'));
    for (const name of ['one', 'two'] as const) {
      await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', name, '-f', join(dir, name)]);
      const [type, base64] = (await readFile(join(dir, `${name}.pub`), 'utf8')).split(' ');
      keys[name] = { line: `${type} ${base64}`, blob: Buffer.from(base64 ?? '', 'base64') };
    }
    // Hashed by OpenSSH itself: `ssh-keygen -H` rewrites names as |1|salt|hmac.
    const hashed = join(dir, 'hashed');
    await writeFile(hashed, `hashed-box ${keys.one.line}\n[hashed-box]:2200 ${keys.two.line}\n`);
    await run('ssh-keygen', ['-q', '-H', '-f', hashed]);
    file = join(dir, 'known_hosts');
    await writeFile(
      file,
      [
        '# a comment, then entries of each form',
        `build-box,10.0.0.5 ${keys.one.line}`,
        `[build-box]:2222 ${keys.two.line}`,
        `*.example.test,!bad.example.test ${keys.one.line}`,
        `@revoked old-box ${keys.two.line}`,
        `old-box ${keys.one.line}`,
        (await readFile(hashed, 'utf8')).trim(),
      ].join('\n'),
    );
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  // host, port, the key that is known for it (or none), and what OpenSSH's lookup finds.
  const CASES: Array<[string, number, 'one' | 'two' | undefined]> = [
    ['build-box', 22, 'one'],
    ['10.0.0.5', 22, 'one'],
    ['build-box', 2222, 'two'],
    ['api.example.test', 22, 'one'],
    ['bad.example.test', 22, undefined],
    ['hashed-box', 22, 'one'],
    ['hashed-box', 2200, 'two'],
    ['hashed-box', 2201, undefined],
    ['stranger', 22, undefined],
  ];

  it.each(CASES)('%s port %i: known key %s', async (host, port, known) => {
    const check = hostKeyCheck([file], host, port, '~/.ssh/known_hosts');
    expect(check.verify(keys.one.blob)).toBe(known === 'one');
    expect(check.verify(keys.two.blob)).toBe(known === 'two');
    const name = port === 22 ? host : `[${host}]:${port}`;
    expect(check.refusal).toBe(
      known
        ? `the host key of ${name} does not match ~/.ssh/known_hosts; it may have been replaced: check it before trusting it`
        : `the host key of ${name} is not in ~/.ssh/known_hosts; connect once with ssh to check and accept it`,
    );
    // OpenSSH's lookup of the same name in the same file agrees on whether the host is known at all.
    const found = await run('ssh-keygen', ['-F', name, '-f', file]).then(
      () => true,
      () => false,
    );
    expect(found).toBe(known !== undefined);
  });

  it('refuses a key marked @revoked even where another line lists it', () => {
    const check = hostKeyCheck([file], 'old-box', 22, 'known_hosts');
    expect(check.verify(keys.one.blob)).toBe(true);
    expect(check.verify(keys.two.blob)).toBe(false);
    expect(check.refusal).toBe('the host key of old-box is marked @revoked in known_hosts');
  });

  it('reads every file given and skips those that are missing; offers the known key types first', () => {
    const check = hostKeyCheck([join(dir, 'missing'), file], 'build-box', 2222, 'known_hosts');
    expect(check.knownTypes).toEqual(['ssh-ed25519']);
    expect(check.verify(keys.two.blob)).toBe(true);
  });
});
