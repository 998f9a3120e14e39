// Temporary project folders for tests, written from a map of relative path -> content.
import { mkdtemp, mkdir, rm, writeFile, symlink, chmod } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll } from 'vitest';

export type FileSpec = string | { content: string; mode?: number } | { symlink: string };

const made: string[] = [];
afterAll(async () => {
  await Promise.all(made.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

export async function makeProject(files: Record<string, FileSpec>): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'tslambda-test-'));
  made.push(root);
  for (const [path, spec] of Object.entries(files)) {
    const target = join(root, path);
    await mkdir(dirname(target), { recursive: true });
    if (path.endsWith('/')) await mkdir(target, { recursive: true });
    else if (typeof spec === 'string') await writeFile(target, spec);
    else if ('symlink' in spec) await symlink(spec.symlink, target);
    else {
      await writeFile(target, spec.content);
      if (spec.mode !== undefined) await chmod(target, spec.mode);
    }
  }
  return root;
}
