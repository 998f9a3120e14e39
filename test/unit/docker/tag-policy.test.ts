// The tag policy: explicit tag, else git short SHA with -dirty, else a UTC timestamp.
import { execFileSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveTag, timestampTag } from '../../../src/pipeline/tag-policy.js';
import { makeProject } from '../../support/temp-project.js';

const git = (cwd: string, ...args: string[]) =>
  execFileSync('git', args, {
    cwd,
    encoding: 'utf8',
    env: {
      ...process.env,
      GIT_AUTHOR_NAME: 't',
      GIT_AUTHOR_EMAIL: 't@t',
      GIT_COMMITTER_NAME: 't',
      GIT_COMMITTER_EMAIL: 't@t',
    },
  }).trim();

describe('resolveTag', () => {
  it('uses an explicit tag and rejects one Docker would refuse', async () => {
    expect(await resolveTag({ explicit: 'v1.2_3', cwd: '/' })).toEqual({ tag: 'v1.2_3', source: 'explicit' });
    await expect(resolveTag({ explicit: '-bad', cwd: '/' })).rejects.toThrow('invalid image tag: "-bad"');
    await expect(resolveTag({ explicit: 'a:b', cwd: '/' })).rejects.toThrow('invalid image tag');
  });

  it('uses the git short SHA, with -dirty once the work tree changes', async () => {
    const dir = await makeProject({ 'index.js': 'exports.handler = 1;\n' });
    git(dir, 'init', '-q');
    git(dir, 'add', '.');
    git(dir, 'commit', '-q', '-m', 'first');
    const sha = git(dir, 'rev-parse', '--short', 'HEAD');
    expect(await resolveTag({ cwd: dir })).toEqual({ tag: sha, source: 'git' });
    await writeFile(join(dir, 'index.js'), 'exports.handler = 2;\n');
    expect(await resolveTag({ cwd: dir })).toEqual({ tag: `${sha}-dirty`, source: 'git' });
  });

  it('falls back to a UTC timestamp outside a repository (or before the first commit)', async () => {
    const dir = await makeProject({ 'index.js': '' });
    const now = new Date('2026-03-04T05:06:07.890Z');
    expect(await resolveTag({ cwd: dir, now })).toEqual({ tag: '20260304-050607', source: 'timestamp' });
    git(dir, 'init', '-q');
    expect((await resolveTag({ cwd: dir, now })).source).toBe('timestamp');
    expect(timestampTag(now)).toMatch(/^[0-9]{8}-[0-9]{6}$/);
  });
});
