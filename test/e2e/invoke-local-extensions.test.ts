// Extensions and layers end to end: a real extension written here (a Node executable in a layer folder's
// extensions/), built into the image's /opt by "layers", started by invoke-local's runtime, registering with the
// Extensions API, subscribing to the Telemetry API, and holding each invocation open; and the same on the host.

import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../support/net.js';
import { runCli } from '../support/run-cli.js';
import { makeProject } from '../support/temp-project.js';
import { BASE_IMAGE, dockerForTests } from '../support/docker.js';
import { runsWhen } from '../support/skips.js';

const { docker, reason } = await dockerForTests();
const functionName = `il-ext-${process.pid}`;
const HOLD_MS = 600;

/** The extension: registers, subscribes to telemetry, logs each event, holds INVOKE for HOLD_MS. */
const probe = (node: string, telemetryPort: number) => `#!${node}
const http = require('node:http');
const api = process.env.AWS_LAMBDA_RUNTIME_API;
const call = (method, path, headers, body) => new Promise((resolve, reject) => {
  const req = http.request('http://' + api + path, { method, headers }, (res) => {
    let data = '';
    res.on('data', (chunk) => (data += chunk));
    res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: data }));
  });
  req.on('error', reject);
  req.end(body);
});
const telemetry = new Set();
http.createServer((req, res) => {
  let data = '';
  req.on('data', (chunk) => (data += chunk));
  req.on('end', () => { for (const record of JSON.parse(data)) telemetry.add(record.type); res.end(); });
}).listen(${telemetryPort}, '0.0.0.0', async () => {
  const registered = await call('POST', '/2020-01-01/extension/register', { 'Lambda-Extension-Name': 'probe' },
    JSON.stringify({ events: ['INVOKE', 'SHUTDOWN'] }));
  const id = registered.headers['lambda-extension-identifier'];
  console.log('[probe] registered for ' + JSON.parse(registered.body).functionName);
  const subscribed = await call('PUT', '/2022-07-01/telemetry', { 'Lambda-Extension-Identifier': id },
    JSON.stringify({ schemaVersion: '2022-12-13', types: ['platform', 'function'],
      destination: { protocol: 'HTTP', URI: 'http://sandbox.localdomain:${telemetryPort}' },
      buffering: { maxItems: 1000, maxBytes: 262144, timeoutMs: 25 } }));
  console.log('[probe] telemetry ' + subscribed.status);
  for (;;) {
    const event = JSON.parse((await call('GET', '/2020-01-01/extension/event/next', { 'Lambda-Extension-Identifier': id })).body);
    if (event.eventType === 'SHUTDOWN') {
      console.log('[probe] SHUTDOWN ' + event.shutdownReason + ' telemetry: ' + [...telemetry].sort().join(','));
      process.exit(0);
    }
    console.log('[probe] INVOKE ' + event.requestId);
    await new Promise((resolve) => setTimeout(resolve, ${HOLD_MS}));
  }
});
`;

const HANDLER = `const { readFileSync } = require('node:fs');
exports.handler = async () => {
  let layer = null;
  try { layer = readFileSync('/opt/data/hello.txt', 'utf8'); } catch {}
  console.log('in the handler');
  return { layer };
};
`;

async function project(node: string) {
  const telemetryPort = await freePort();
  return makeProject({
    'lambda.config.json': JSON.stringify({
      functionName,
      handler: 'index.handler',
      baseImage: BASE_IMAGE,
      timeout: 5,
      memorySize: 128,
      layers: ['./layer'],
    }),
    'index.js': HANDLER,
    'layer/extensions/probe': { content: probe(node, telemetryPort), mode: 0o755 },
    'layer/data/hello.txt': 'from the layer folder',
  });
}

function expectExtensionLifecycle(stderr: string) {
  const requestId = /START RequestId: ([0-9a-f-]{36})/.exec(stderr)![1];
  expect(stderr).toContain(`[probe] registered for ${functionName}`);
  expect(stderr).toContain('[probe] telemetry 200');
  expect(stderr).toContain(`[probe] INVOKE ${requestId}`);
  // The invocation lasted as long as the extension held it.
  const duration = Number(/REPORT RequestId: [0-9a-f-]{36}\tDuration: ([\d.]+) ms/.exec(stderr)![1]);
  expect(duration).toBeGreaterThanOrEqual(HOLD_MS);
  const shutdown = /\[probe\] SHUTDOWN (\w+) telemetry: (\S*)/.exec(stderr);
  expect(shutdown?.[1]).toBe('spindown');
  expect((shutdown?.[2] ?? '').split(',')).toEqual(
    expect.arrayContaining(['function', 'platform.start', 'platform.runtimeDone', 'platform.report']),
  );
}

describe('an extension in a layer folder, on the host', () => {
  it('registers, gets INVOKE (the invocation waits for it) and SHUTDOWN, and receives telemetry', async () => {
    const dir = await project(process.execPath);
    const result = await runCli(['invoke-local', '--cwd', dir, '--no-docker', '--data', '{}']);
    expect(result.exitCode).toBe(0);
    expectExtensionLifecycle(result.stderr);
  }, 60_000);
});

describe('an extension and a layer in the image', runsWhen('e2e invoke-local extensions', reason), () => {
  afterAll(async () => {
    await docker!
      .getImage(`${functionName}:latest`)
      .remove({ force: true })
      .catch(() => undefined);
  });

  it("copies the layer folder into /opt, and runs its extension through the invocation's lifecycle", async () => {
    const dir = await project('/usr/local/bin/node');
    const result = await runCli(['invoke-local', '--cwd', dir, '--data', '{}']);
    expect(result.exitCode).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({ layer: 'from the layer folder' });
    expectExtensionLifecycle(result.stderr);
    // Other suites' containers may run meanwhile: only this function's count.
    const containers = await docker!.listContainers({
      all: true,
      filters: { label: ['dev.tslambda.invoke-local'], ancestor: [`${functionName}:latest`] },
    });
    expect(containers).toEqual([]);
  }, 180_000);
});
