// `tslambda build` against the real Docker engine: generated and user Dockerfiles, the runtime asset, failures.
import { createHash, randomBytes } from 'node:crypto';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type Docker from 'dockerode';
import { ExitCode } from '../../src/core/errors.js';
import { RUNTIME_SOURCE_DIR, withoutCommentLines } from '../../src/image/runtime-asset.js';
import { BASE_IMAGE, dockerForTests, runInImage } from '../support/docker.js';
import { runsWhen } from '../support/skips.js';
import { runCli } from '../support/run-cli.js';
import { makeProject } from '../support/temp-project.js';

const availability = await dockerForTests();
const docker = availability.docker as Docker;
const suffix = randomBytes(3).toString('hex');
const built: string[] = [];

// Prints "path sha256" for every file under a folder of the image, using the image's own node.
const HASH_TREE = `
const fs = require('fs'), path = require('path'), crypto = require('crypto');
const walk = (d) => fs.readdirSync(d, { withFileTypes: true }).flatMap((e) => e.isDirectory() ? walk(path.join(d, e.name)) : [path.join(d, e.name)]);
const root = process.argv[1];
for (const f of walk(root).sort()) console.log(path.relative(root, f), crypto.createHash('sha256').update(fs.readFileSync(f)).digest('hex'));
`;

/** The package's runtime files and their hashes, as images carry them (its .cjs files without their comment lines);
 * a Node handler's generated image carries them without the program adapters (runtime/program*.cjs,
 * runtime/adapters/), which only a program handler loads. */
async function packageRuntimeHashes(options: { programs: boolean }): Promise<string> {
  const isProgramPart = (e: { parentPath: string; name: string }) =>
    e.name.startsWith('program') || join(e.parentPath, e.name).slice(RUNTIME_SOURCE_DIR.length).startsWith('adapters');
  const files = (await readdir(RUNTIME_SOURCE_DIR, { recursive: true, withFileTypes: true })).filter(
    (e) => e.isFile() && (options.programs || !isProgramPart(e)),
  );
  const lines = await Promise.all(
    files.map(async (e) => {
      const full = join(e.parentPath, e.name);
      const content = await readFile(full);
      const shipped = e.name.endsWith('.cjs') ? withoutCommentLines(content.toString('utf8')) : content;
      return `${full.slice(RUNTIME_SOURCE_DIR.length).replace(/^\/+/, '')} ${createHash('sha256')
        .update(shipped)
        .digest('hex')}`;
    }),
  );
  return `${lines.sort().join('\n')}\n`;
}

async function buildFixture(files: Record<string, string>, extraArgs: string[] = []) {
  const functionName = `e2e-build-${suffix}-${built.length}`;
  built.push(functionName);
  const cwd = await makeProject({
    'lambda.config.json': JSON.stringify({ functionName, baseImage: BASE_IMAGE }),
    ...files,
  });
  const result = await runCli(['build', '--json', ...extraArgs], { cwd });
  return { functionName, cwd, result, image: `${functionName}:latest` };
}

describe('tslambda build (real Docker engine)', runsWhen('e2e build', availability.reason), () => {
  beforeAll(() => expect(docker).toBeDefined());
  afterAll(async () => {
    for (const name of built)
      await docker
        .getImage(`${name}:latest`)
        .remove({ force: true })
        .catch(() => {});
  });

  it('builds with a generated Dockerfile: app in /var/task, runtime byte-identical at its fixed path, handler as CMD', async () => {
    const { result, image } = await buildFixture(
      {
        'index.js': 'exports.handler = async () => "hi";',
        'lib/util.js': 'module.exports = 1;',
        'notes/secret.txt': 'do not ship',
        '.dockerignore': 'notes\n',
      },
      ['--no-bundle'],
    ); // the folder as is: bundled handlers are tested in init-bundle.test.ts
    expect(result.stderr).toBe('');
    expect(result.exitCode).toBe(ExitCode.ok);
    const json = JSON.parse(result.stdout);
    expect(json).toMatchObject({ ok: true, image, architecture: 'amd64', platform: 'linux/amd64' });
    expect(json.imageId).toMatch(/^sha256:[0-9a-f]{64}$/);

    const runtime = await runInImage(docker, image, ['-e', HASH_TREE, '/opt/tslambda/runtime'], ['node']);
    expect(runtime.stdout).toBe(await packageRuntimeHashes({ programs: false }));
    expect(runtime.stdout).not.toMatch(/^(program|adapters\/)/m);

    const task = await runInImage(docker, image, ['-e', HASH_TREE, '/var/task'], ['node']);
    expect(
      task.stdout
        .split('\n')
        .map((l) => l.split(' ')[0])
        .filter(Boolean),
    ).toEqual(['.dockerignore', 'index.js', 'lambda.config.json', 'lib/util.js']);

    const info = await docker.getImage(image).inspect();
    expect(info.Config.Entrypoint).toEqual(['node', '/opt/tslambda/runtime/bootstrap.cjs']);
    expect(info.Config.Cmd).toEqual(['index.handler']);
    expect(info.Config.Env).toContain('LAMBDA_TASK_ROOT=/var/task');
    expect(info.Config.Labels).toMatchObject({
      'org.opencontainers.image.title': built[0],
      'dev.tslambda.handler': 'index.handler',
    });
  });

  it('rebuilds an unchanged project to the same image ID (so an unchanged deploy can be skipped)', async () => {
    const files = { 'index.js': 'exports.handler = async () => 1;' };
    const cwd = await makeProject({
      'lambda.config.json': JSON.stringify({ functionName: `e2e-build-${suffix}-same`, baseImage: BASE_IMAGE }),
      ...files,
    });
    built.push(`e2e-build-${suffix}-same`);
    const first = JSON.parse((await runCli(['build', '--json'], { cwd })).stdout);
    const second = JSON.parse((await runCli(['build', '--json'], { cwd })).stdout);
    expect(second.imageId).toBe(first.imageId);
  });

  it("builds with the user's Dockerfile, which finds the runtime under .tslambda/runtime/", async () => {
    const { result, image } = await buildFixture(
      {
        'app.js': 'exports.main = async () => "custom";',
        Dockerfile: [
          `FROM ${BASE_IMAGE}`,
          'ARG GREETING',
          'ENV GREETING=$GREETING LAMBDA_TASK_ROOT=/var/task',
          'COPY .tslambda/runtime/ /opt/tslambda/runtime/',
          'COPY app.js /var/task/',
          'ENTRYPOINT ["node", "/opt/tslambda/runtime/bootstrap.cjs"]',
          'CMD ["app.main"]',
        ].join('\n'),
      },
      ['--build-arg', 'GREETING=hello'],
    );
    expect(result.exitCode).toBe(ExitCode.ok);
    expect(JSON.parse(result.stdout).dockerfile).toBe('Dockerfile');
    const env = await runInImage(docker, image, ['-e', 'console.log(process.env.GREETING)'], ['node']);
    expect(env.stdout).toBe('hello\n');
    // A user's Dockerfile gets tslambda's labels through the build API.
    expect((await docker.getImage(image).inspect()).Config.Labels).toMatchObject({
      'dev.tslambda.handler': 'index.handler',
    });
    const runtime = await runInImage(docker, image, ['-e', HASH_TREE, '/opt/tslambda/runtime'], ['node']);
    expect(runtime.stdout).toBe(await packageRuntimeHashes({ programs: true }));
  });

  it('fails with the build-failed code, the failing step and the daemon message when a RUN fails', async () => {
    const { result } = await buildFixture({
      Dockerfile: `FROM ${BASE_IMAGE}\nRUN ["node", "-e", "console.log('boom here'); process.exit(3)"]\n`,
    });
    expect(result.exitCode).toBe(ExitCode.buildFailed);
    expect(result.stderr).toContain('error: build failed at step 2/');
    expect(result.stderr).toContain('returned a non-zero code: 3');
    expect(result.stderr).toContain('| boom here');
    expect(JSON.parse(result.stdout).error).toMatchObject({
      exitCode: ExitCode.buildFailed,
      daemonError: expect.stringContaining('non-zero code: 3'),
    });
  });

  it('fails clearly when the base image does not exist and cannot be pulled', async () => {
    const { result } = await buildFixture({ 'index.js': '' }, ['--base-image', `tslambda-missing-${suffix}:none`]);
    expect(result.exitCode).toBe(ExitCode.buildFailed);
    expect(result.stderr).toMatch(/error: build failed at step 1\/\d+ \(FROM tslambda-missing-/);
  });
  it('a rebuild that moves the tag discards the image it replaced, instead of leaving it dangling', async () => {
    const { cwd, result, image } = await buildFixture({ 'index.js': 'exports.handler = async () => 1;' });
    expect(result.exitCode, result.stderr).toBe(ExitCode.ok);
    const first = (await docker.getImage(image).inspect()).Id;
    await writeFile(join(cwd, 'index.js'), 'exports.handler = async () => 2;');
    const again = await runCli(['build', '--json'], { cwd });
    expect(again.exitCode, again.stderr).toBe(ExitCode.ok);
    expect((await docker.getImage(image).inspect()).Id).not.toBe(first);
    await expect(docker.getImage(first).inspect()).rejects.toMatchObject({ statusCode: 404 });
  });
});
