#!/usr/bin/env node
// `npm run demo`: builds examples/hello (a TypeScript function, bundled) and invokes it locally, printing the
// response and the REPORT line. Whatever the machine lacks, the demo still runs the function, saying in one
// line what it does instead: an engine that cannot pull the example's base image builds on a node base made
// here (scripts/local-node-base.mjs); no engine at all runs the function as a host process (--no-docker).
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const repo = fileURLToPath(new URL('..', import.meta.url));
const example = `${repo}examples/hello`;
const cli = `${repo}bin/tslambda.js`;

// `npm ci` compiles the package (prepare); a checkout without dist/ is compiled here once.
if (!existsSync(`${repo}dist/cli-bundle/cli.js`)) {
  console.error('demo: compiling tslambda (npm run build) …');
  const built = spawnSync('npm', ['run', '--silent', 'build'], {
    cwd: repo,
    stdio: 'inherit',
    shell: process.platform === 'win32',
  });
  if (built.status !== 0) process.exit(built.status ?? 1);
}

const { connectDocker, engineMessage } = await import('../dist/docker/client.js');
const { buildLocalNodeBase, localBaseTag } = await import('./local-node-base.mjs');
const noDocker = (why) => {
  console.error(`demo: ${why}; running the function as a host process (invoke-local --no-docker) instead`);
  return ['--no-docker'];
};

/** Pulls `image` when it is not here; the engine's message when it cannot. */
async function ensureImage(docker, image) {
  if (
    await docker
      .getImage(image)
      .inspect()
      .then(
        () => true,
        () => false,
      )
  )
    return undefined;
  try {
    const stream = await docker.pull(image);
    await new Promise((resolve, reject) =>
      docker.modem.followProgress(stream, (error, events) => {
        const failed = error ?? events.find((event) => event.error);
        return failed ? reject(new Error(failed.error ?? failed.message)) : resolve();
      }),
    );
    return undefined;
  } catch (error) {
    // dockerode prefixes the engine's message with the HTTP status: the message alone says why.
    return engineMessage(error).replace(/^\(HTTP code \d+\)[^-]*- /, '');
  }
}

/** The extra invoke-local arguments this machine needs to run the example. */
async function machineArgs() {
  let docker;
  try {
    docker = await connectDocker(process.env);
  } catch (error) {
    return noDocker(error.message);
  }
  if (process.env.TSLAMBDA_BASE_IMAGE) return ['--base-image', process.env.TSLAMBDA_BASE_IMAGE];
  const configured = JSON.parse(readFileSync(`${example}/lambda.config.json`, 'utf8')).baseImage;
  const pullFailure = await ensureImage(docker, configured);
  if (pullFailure === undefined) return [];
  const local = localBaseTag();
  const haveLocal = await docker
    .getImage(local)
    .inspect()
    .then(
      () => true,
      () => false,
    );
  try {
    if (!haveLocal) await buildLocalNodeBase(docker, local);
  } catch (error) {
    return noDocker(`cannot pull ${configured} (${pullFailure}) nor make a local node base (${error.message})`);
  }
  console.error(
    `demo: cannot pull ${configured} (${pullFailure}); building on ${local}, made from this machine's node instead (set TSLAMBDA_BASE_IMAGE to choose)`,
  );
  return ['--base-image', local];
}

const args = ['invoke-local', '--cwd', example, '--event', `${example}/event.json`, ...(await machineArgs())];
console.error(`demo: tslambda ${args.join(' ').replaceAll(repo, '')}`);
const result = spawnSync(process.execPath, [cli, ...args], { stdio: 'inherit' });
process.exit(result.status ?? 1);
