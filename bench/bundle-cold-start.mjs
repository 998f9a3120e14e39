#!/usr/bin/env node
// Cold start of a bundled handler image against the same handler shipped with its whole node_modules.
// The handler imports @aws-sdk/client-lambda and makes a client at init, as many functions do. Both images
// are built FROM the test base image through the Engine API and started against the Runtime API emulator;
// runs alternate so machine noise hits both alike. Prints median Init Duration (runtime start → first /next)
// and cold invoke (container start → response), plus each image's size over the base. Needs `npm run build`
// and a Docker engine. `--quick` for fewer runs.
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = fileURLToPath(new URL('..', import.meta.url));
if (!existsSync(join(repo, 'dist/bundle/bundle.js'))) {
  console.error('bundle-cold-start: run `npm run build` first (this benchmark uses dist/)');
  process.exit(1);
}
const { default: Docker } = await import('dockerode');
const { bundleHandler, bundleContextFiles } = await import('../dist/bundle/bundle.js');
const { productionClosure } = await import('../dist/bundle/externals.js');
const { externalPackageFiles } = await import('../dist/bundle/package-files.js');
const { createBuildContext } = await import('../dist/image/context.js');
const { generateDockerfile, GENERATED_DOCKERFILE_PATH } = await import('../dist/image/dockerfile.js');
const { runtimeContextFiles } = await import('../dist/image/runtime-asset.js');
const { startEmulator } = await import('../dist/local/api/emulator.js');
const esbuild = await import('esbuild');

const BASE_IMAGE = process.env.TSLAMBDA_TEST_BASE_IMAGE ?? 'tslambda-test-base:node20';
const runs = process.argv.includes('--quick') ? 3 : 15;
const docker = new Docker({ socketPath: '/var/run/docker.sock' });
try {
  await docker.ping();
  await docker.getImage(BASE_IMAGE).inspect();
} catch (error) {
  console.log(`skipped: needs a Docker engine and ${BASE_IMAGE} (${error.message})`);
  process.exit(0);
}

const HANDLER = `import { LambdaClient, GetAccountSettingsCommand } from '@aws-sdk/client-lambda';
const client = new LambdaClient({ region: process.env.AWS_REGION ?? 'us-east-1' });
export const handler = async (event: { name?: string }) => ({ hello: event.name ?? 'world', command: new GetAccountSettingsCommand({}).constructor.name, region: await client.config.region() });
`;

const project = await mkdtemp(join(tmpdir(), 'tslambda-bench-bundle-'));
await mkdir(join(project, 'src'));
await writeFile(join(project, 'src/handler.ts'), HANDLER);
await symlink(join(repo, 'node_modules'), join(project, 'node_modules'));

async function buildImage(tag, files, appDir) {
  const dockerfile = generateDockerfile({
    baseImage: BASE_IMAGE,
    handler: 'src/handler.handler',
    nodeOptions: '--enable-source-maps',
    appDir,
    tslambdaVersion: 'bench',
  });
  const context = await createBuildContext({
    extraFiles: [...(await runtimeContextFiles()), ...files, { path: GENERATED_DOCKERFILE_PATH, content: dockerfile }],
  });
  const stream = await docker.buildImage(context.stream, {
    t: tag,
    dockerfile: GENERATED_DOCKERFILE_PATH,
    rm: true,
    forcerm: true,
  });
  await new Promise((resolve, reject) =>
    docker.modem.followProgress(stream, (err, events) => {
      const failure = err ?? events.find((e) => e.error);
      failure ? reject(new Error(failure.error ?? failure.message)) : resolve();
    }),
  );
  return (await docker.getImage(tag).inspect()).Size;
}

// Bundled: what `tslambda build` sends.
const bundle = await bundleHandler({
  entry: join(project, 'src/handler.ts'),
  root: project,
  exportPath: 'handler',
  nodeMajor: 20,
});
const bundledSize = await buildImage(
  'tslambda-bench-bundled:latest',
  await bundleContextFiles(bundle),
  '.tslambda/bundle',
);

// Unbundled: the handler transpiled alone, plus the whole production closure of its dependency.
const transpiled = await esbuild.build({
  entryPoints: [join(project, 'src/handler.ts')],
  bundle: false,
  write: false,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  outdir: join(project, 'src'),
  outExtension: { '.js': '.mjs' },
});
const closure = await productionClosure([
  { name: '@aws-sdk/client-lambda', dir: join(repo, 'node_modules/@aws-sdk/client-lambda') },
]);
const unbundledFiles = [
  { path: '.tslambda/app/src/handler.mjs', content: Buffer.from(transpiled.outputFiles[0].contents) },
  ...(await externalPackageFiles(closure.packages, '.tslambda/app')),
];
const unbundledSize = await buildImage('tslambda-bench-node-modules:latest', unbundledFiles, '.tslambda/app');

async function coldInvoke(image) {
  const emulator = await startEmulator({ functionName: 'bench', timeoutMs: 30_000 });
  const container = await docker.createContainer({
    Image: image,
    Env: [`AWS_LAMBDA_RUNTIME_API=${emulator.address}`, 'AWS_REGION=eu-west-1'],
    HostConfig: { NetworkMode: 'host' },
  });
  try {
    const started = performance.now();
    emulator.environmentStarting();
    await container.start();
    const result = await emulator.invoke('{"name":"bench"}');
    if (result.outcome !== 'success' || !result.payload.toString().includes('"hello":"bench"'))
      throw new Error(`${image}: ${result.outcome} ${result.payload}`);
    return { init: result.initDurationMs, cold: performance.now() - started };
  } finally {
    await container.remove({ force: true }).catch(() => {});
    await emulator.close();
  }
}

const images = { bundled: 'tslambda-bench-bundled:latest', 'whole node_modules': 'tslambda-bench-node-modules:latest' };
const samples = Object.fromEntries(Object.keys(images).map((k) => [k, { init: [], cold: [] }]));
for (let i = 0; i < runs; i++) {
  for (const [name, image] of Object.entries(images)) {
    const { init, cold } = await coldInvoke(image);
    samples[name].init.push(init);
    samples[name].cold.push(cold);
  }
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const baseSize = (await docker.getImage(BASE_IMAGE).inspect()).Size;
const sizes = { bundled: bundledSize - baseSize, 'whole node_modules': unbundledSize - baseSize };
console.log(
  `handler importing @aws-sdk/client-lambda (${closure.packages.length} packages in its closure), ${runs} cold starts each, base ${BASE_IMAGE}`,
);
for (const name of Object.keys(images)) {
  console.log(
    `${name.padEnd(20)} added ${(sizes[name] / 1024).toFixed(0).padStart(6)} KB   Init Duration median ${median(samples[name].init).toFixed(1).padStart(6)} ms   cold invoke median ${median(samples[name].cold).toFixed(1).padStart(6)} ms`,
  );
}
for (const image of Object.values(images))
  await docker
    .getImage(image)
    .remove({ force: true })
    .catch(() => {});
await rm(project, { recursive: true, force: true });
