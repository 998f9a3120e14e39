import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { typecheckProject } from '../../../src/bundle/typecheck.js';
import { UserError } from '../../../src/core/errors.js';

// The repository's own TypeScript stands in for the project's: linked into the project's node_modules/.bin.
const repoTsc = resolve('node_modules/typescript/bin/tsc');

describe('typecheckProject', () => {
  let project: string;
  beforeEach(async () => {
    project = await mkdtemp(join(tmpdir(), 'tslambda-tsc-'));
    await writeFile(
      join(project, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: { strict: true, noEmit: true, module: 'ESNext', moduleResolution: 'Bundler', types: [] },
        include: ['*.ts'],
      }),
    );
  });
  afterEach(() => rm(project, { recursive: true, force: true }));

  const installTsc = async () => {
    await mkdir(join(project, 'node_modules/.bin'), { recursive: true });
    await symlink(repoTsc, join(project, 'node_modules/.bin/tsc'));
  };

  it('passes on a project without type errors', async () => {
    await installTsc();
    await writeFile(join(project, 'ok.ts'), 'export const n: number = 1;\n');
    await expect(typecheckProject(project)).resolves.toMatchObject({ tsc: join(project, 'node_modules/.bin/tsc') });
  });

  it('fails with tsc output and exit code 13 on a type error', async () => {
    await installTsc();
    await writeFile(join(project, 'bad.ts'), "export const n: number = 'one';\n");
    const error = await typecheckProject(project).catch((e) => e);
    expect(error).toBeInstanceOf(UserError);
    expect(error.exitCode).toBe(13);
    expect(error.message).toMatch(/type check failed with 1 error/);
    expect(error.message).toMatch(/bad\.ts\(1,14\): error TS2322/);
  });

  it('names the missing compiler and the fix', async () => {
    const error = await typecheckProject(project).catch((e) => e);
    expect(error).toBeInstanceOf(UserError);
    expect(error.message).toMatch(/needs the project's own TypeScript compiler/);
    expect(error.hint).toMatch(/npm install --save-dev typescript/);
  });
});
