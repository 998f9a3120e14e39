#!/usr/bin/env node
// `npm run demo`: builds examples/hello (a TypeScript function, bundled) and invokes it locally, printing the
// response and the REPORT line. Without a Docker engine it says so in one line and runs the same function as
// a host process (`invoke-local --no-docker`), so the demo always gets to run the function.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const repo = fileURLToPath(new URL('..', import.meta.url));
const example = `${repo}examples/hello`;
const cli = `${repo}bin/tslambda.js`;

// `npm ci` compiles the package (prepare); a checkout without dist/ is compiled here once.
if (!existsSync(`${repo}dist/cli/main.js`)) {
  console.error('demo: compiling tslambda (npm run build) …');
  const built = spawnSync('npm', ['run', '--silent', 'build'], { cwd: repo, stdio: 'inherit', shell: process.platform === 'win32' });
  if (built.status !== 0) process.exit(built.status ?? 1);
}

const { connectDocker } = await import('../dist/docker/client.js');
const args = ['invoke-local', '--cwd', example, '--event', `${example}/event.json`];
let docker;
try {
  docker = await connectDocker(process.env);
} catch (error) {
  console.error(`demo: ${error.message}; running the function as a host process (invoke-local --no-docker) instead`);
  args.push('--no-docker');
}

if (docker) {
  // Machines that cannot pull (CI sandboxes) keep a local node base image; use it when the example's is missing.
  const configured = JSON.parse(readFileSync(`${example}/lambda.config.json`, 'utf8')).baseImage;
  const local = `tslambda-test-base:node${process.versions.node.split('.')[0]}`;
  const wanted = process.env.TSLAMBDA_BASE_IMAGE ?? configured;
  const has = (image) => docker.getImage(image).inspect().then(() => true, () => false);
  if (process.env.TSLAMBDA_BASE_IMAGE) args.push('--base-image', wanted);
  else if (!(await has(configured)) && (await has(local))) {
    console.error(`demo: ${configured} is not here yet, building on the local ${local} instead (set TSLAMBDA_BASE_IMAGE to choose)`);
    args.push('--base-image', local);
  }
}

console.error(`demo: tslambda ${args.join(' ').replaceAll(repo, '')}`);
const result = spawnSync(process.execPath, [cli, ...args], { stdio: 'inherit' });
process.exit(result.status ?? 1);
