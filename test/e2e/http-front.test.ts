// invoke-local --http end to end, with real clients: curl, undici's fetch and a headless Chromium page loading the
// function's HTML and reading its streamed response. Host mode (--no-docker) for most cases, one in a container.

import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import puppeteer from 'puppeteer-core';
import { InvokeWithResponseStreamCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { freePort } from '../support/net.js';
import { runCli } from '../support/run-cli.js';
import { makeProject } from '../support/temp-project.js';
import { BASE_IMAGE, dockerForTests } from '../support/docker.js';
import { runsWhen } from '../support/skips.js';

const CHROMIUM = '/usr/bin/chromium';

// One streaming handler serves every route: HttpResponseStream.from gives each its status and headers.
const HANDLER = `
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const PAGE = \`<!doctype html><title>stream</title><pre id="out"></pre><script>
  (async () => {
    const out = document.getElementById('out');
    const response = await fetch('/stream' + location.search);
    window.streamStatus = response.status;
    const reader = response.body.getReader();
    const decoder = new TextDecoder();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      out.textContent += decoder.decode(value, { stream: true });
    }
    out.textContent += 'done';
  })();
</script>\`;

exports.handler = awslambda.streamifyResponse(async (event, responseStream) => {
  const open = (statusCode, contentType) =>
    awslambda.HttpResponseStream.from(responseStream, { statusCode, headers: { 'content-type': contentType } });
  switch (event.rawPath) {
    case '/': {
      open(200, 'text/html; charset=utf-8').end(PAGE);
      return;
    }
    case '/stream': {
      const stream = open(200, 'text/plain; charset=utf-8');
      stream.write('chunk 1;');
      await fetch(event.queryStringParameters.gate);
      stream.write('chunk 2;');
      stream.end();
      return;
    }
    case '/echo': {
      open(200, 'application/json').end(JSON.stringify({ method: event.requestContext.http.method, body: event.body, query: event.queryStringParameters }));
      return;
    }
    case '/version': {
      open(200, 'text/plain').end(require('./version.json').version);
      return;
    }
    case '/throw':
      throw new Error('the handler failed');
    case '/sleep':
      await sleep(60000);
  }
  open(404, 'text/plain').end('no route');
});
`;

/** The test holds the function on this URL until it opens the gate: ordering, not timing, shows streaming. */
async function startGate() {
  let waiting: ServerResponse | undefined;
  const server = createServer((_req, res) => {
    waiting = res;
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    async open() {
      while (!waiting) await new Promise((resolve) => setTimeout(resolve, 5));
      waiting.end();
    },
    close() {
      server.closeAllConnections();
      server.close();
    },
  };
}

async function waitForHttp(url: string): Promise<void> {
  for (let attempt = 0; attempt < 600; attempt++) {
    const ok = await fetch(url).then(
      () => true,
      () => false,
    );
    if (ok) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`nothing answered on ${url}`);
}

/** curl as a process; resolves with what it printed. `onOutput` sees stdout as it arrives (curl -N). */
function curl(args: string[], onOutput?: (soFar: string) => void): Promise<{ code: number | null; stdout: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('curl', ['-sS', ...args]);
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      onOutput?.(stdout);
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout }));
  });
}

let project: string;
beforeAll(async () => {
  project = await makeProject({
    'lambda.config.json': JSON.stringify({
      functionName: `http-e2e-${process.pid}`,
      handler: 'index.handler',
      baseImage: BASE_IMAGE,
      timeout: 2,
      memorySize: 128,
    }),
    'index.js': HANDLER,
    'version.json': '{"version":"one"}',
  });
});

describe('invoke-local --http --no-docker', () => {
  let base: string;
  const controller = new AbortController();
  let running: ReturnType<typeof runCli>;
  beforeAll(async () => {
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    running = runCli(['invoke-local', '--cwd', project, '--no-docker', '--http', String(port), '--concurrency', '2'], {
      signal: controller.signal,
    });
    await waitForHttp(`${base}/echo`);
  });
  afterAll(async () => {
    controller.abort();
    expect((await running).exitCode).toBe(130);
  });

  it('curl: status line, headers and body of a request with a query and a JSON body', async () => {
    const { code, stdout } = await curl([
      '-i',
      '-X',
      'POST',
      '-H',
      'content-type: application/json',
      '--data',
      '{"id":7}',
      `${base}/echo?x=1&x=2`,
    ]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(stdout).toMatch(/\r\ncontent-type: application\/json\r\n/i);
    expect(stdout).toMatch(/\r\napigw-requestid: [0-9a-f-]{36}\r\n/i);
    expect(JSON.parse(stdout.slice(stdout.indexOf('\r\n\r\n') + 4))).toEqual({
      method: 'POST',
      body: '{"id":7}',
      query: { x: '1,2' },
    });
  });

  it('curl -N: a streamed body arrives part by part while the function runs', async () => {
    const gate = await startGate();
    const seen: string[] = [];
    try {
      const { code, stdout } = await curl(['-N', `${base}/stream?gate=${encodeURIComponent(gate.url)}`], (soFar) => {
        if (soFar === 'chunk 1;' && !seen.includes('chunk 1')) {
          seen.push('chunk 1');
          void gate.open().then(() => seen.push('gate opened'));
        }
      });
      expect(code).toBe(0);
      expect(stdout).toBe('chunk 1;chunk 2;');
      expect(seen).toEqual(['chunk 1', 'gate opened']);
    } finally {
      gate.close();
    }
  });

  it('curl: a function error is a 502 and a timeout a 504, with API Gateway bodies', async () => {
    const failed = await curl(['-w', '\\n%{http_code}', `${base}/throw`]);
    expect(failed.stdout).toBe('{"message":"Internal Server Error"}\n502');
    const timedOut = await curl(['-w', '\\n%{http_code}', `${base}/sleep`]);
    expect(timedOut.stdout).toBe('{"message":"Endpoint request timed out"}\n504');
  });

  it('a second --http on the same port says so in one line and exits 2', async () => {
    const port = new URL(base).port;
    const second = await runCli(['invoke-local', '--cwd', project, '--no-docker', '--http', port]);
    expect(second.exitCode).toBe(2);
    expect(second.stderr).toContain(`--http cannot listen on port ${port}: it is already in use`);
  });

  it('fetch (undici): binary bodies and parallel requests queue behind two environments', async () => {
    const answers = await Promise.all(
      Array.from({ length: 5 }, (_, index) =>
        fetch(`${base}/echo`, { method: 'PUT', body: new Uint8Array([index, 0, 255]) }).then((r) => r.json()),
      ),
    );
    answers.forEach((answer, index) => {
      expect(answer.method).toBe('PUT');
      expect(Buffer.from(answer.body, 'base64')).toEqual(Buffer.from([index, 0, 255]));
    });
  });

  describe(
    'a headless browser',
    runsWhen(
      'e2e --http browser',
      existsSync(CHROMIUM) ? undefined : `${CHROMIUM} is missing: install Debian's chromium (scripts/chromium.sh)`,
    ),
    () => {
      it('loads the HTML page, reads the streamed response as it comes, and sees 502 and 504', async () => {
        const browser = await puppeteer.launch({
          executablePath: CHROMIUM,
          args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
        });
        const gate = await startGate();
        try {
          const page = await browser.newPage();
          const loaded = await page.goto(`${base}/?gate=${encodeURIComponent(gate.url)}`);
          expect(loaded?.status()).toBe(200);
          expect(loaded?.headers()['content-type']).toBe('text/html; charset=utf-8');
          // The page shows the first chunk while the function still waits on the gate.
          await page.waitForFunction(() => document.getElementById('out')?.textContent === 'chunk 1;', {
            timeout: 20_000,
          });
          await gate.open();
          await page.waitForFunction(() => document.getElementById('out')?.textContent?.endsWith('done'), {
            timeout: 20_000,
          });
          expect(await page.$eval('#out', (element) => element.textContent)).toBe('chunk 1;chunk 2;done');

          const failed = await page.goto(`${base}/throw`);
          expect(failed?.status()).toBe(502);
          expect(await page.evaluate(() => document.body.textContent)).toBe('{"message":"Internal Server Error"}');
          const timedOut = await page.goto(`${base}/sleep`);
          expect(timedOut?.status()).toBe(504);
        } finally {
          gate.close();
          await browser.close();
        }
      });
    },
  );
});

describe('invoke-local --serve --no-docker and the SDK streaming invoke', () => {
  it('hands InvokeWithResponseStreamCommand each chunk before the function ends', async () => {
    const port = await freePort();
    const controller = new AbortController();
    const running = runCli(['invoke-local', '--cwd', project, '--no-docker', '--serve', String(port)], {
      signal: controller.signal,
    });
    const client = new LambdaClient({
      endpoint: `http://127.0.0.1:${port}`,
      region: 'us-east-1',
      credentials: { accessKeyId: 'AKID', secretAccessKey: 'secret' },
    });
    const gate = await startGate();
    try {
      await waitForHttp(`http://127.0.0.1:${port}/`);
      const event = { rawPath: '/stream', queryStringParameters: { gate: gate.url } };
      const out = await client.send(
        new InvokeWithResponseStreamCommand({ FunctionName: 'function', Payload: Buffer.from(JSON.stringify(event)) }),
      );
      const seen: string[] = [];
      let bytes = '';
      for await (const message of out.EventStream ?? []) {
        if (message.PayloadChunk?.Payload) {
          bytes += Buffer.from(message.PayloadChunk.Payload).toString('latin1');
          if (bytes.endsWith('chunk 1;') && !seen.includes('chunk 1')) {
            seen.push('chunk 1');
            await gate.open();
            seen.push('gate opened');
          }
        }
        if (message.InvokeComplete) seen.push(`complete ${JSON.stringify(message.InvokeComplete)}`);
      }
      // The HTTP prelude (JSON, eight NUL bytes) travels in the stream as on Lambda; the body follows it.
      expect(bytes).toMatch(/^\{"statusCode":200,.*\}\0{8}chunk 1;chunk 2;$/s);
      expect(seen).toEqual(['chunk 1', 'gate opened', 'complete {}']);
    } finally {
      gate.close();
      client.destroy();
      controller.abort();
    }
    expect((await running).exitCode).toBe(130);
  });
});

describe('invoke-local --http --watch --no-docker', () => {
  it('serves the new code on the next request after a save', async () => {
    const port = await freePort();
    const controller = new AbortController();
    const running = runCli(['invoke-local', '--cwd', project, '--no-docker', '--watch', '--http', String(port)], {
      signal: controller.signal,
    });
    try {
      await waitForHttp(`http://127.0.0.1:${port}/version`);
      expect(await (await fetch(`http://127.0.0.1:${port}/version`)).text()).toBe('one');
      await writeFile(`${project}/version.json`, '{"version":"two"}');
      let text = 'one';
      for (let attempt = 0; attempt < 300 && text !== 'two'; attempt++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        text = await fetch(`http://127.0.0.1:${port}/version`).then(
          (r) => r.text(),
          () => text,
        );
      }
      expect(text).toBe('two');
    } finally {
      controller.abort();
      await writeFile(`${project}/version.json`, '{"version":"one"}');
    }
    expect((await running).exitCode).toBe(130);
  });
});

const { docker, reason } = await dockerForTests();

describe('invoke-local --http in a container', runsWhen('e2e --http docker', reason), () => {
  afterAll(async () => {
    await docker!
      .getImage(`http-e2e-${process.pid}:latest`)
      .remove({ force: true })
      .catch(() => undefined);
  });

  it('builds the image and answers curl with the v1 format', async () => {
    const port = await freePort();
    const controller = new AbortController();
    const running = runCli(['invoke-local', '--cwd', project, '--http', String(port), '--http-format', 'v1'], {
      signal: controller.signal,
    });
    try {
      await waitForHttp(`http://127.0.0.1:${port}/`);
      const { stdout } = await curl(['-i', `http://127.0.0.1:${port}/anything`]);
      // The handler routes on rawPath (v2 only): a v1 event has none, so it answers its 404 route.
      expect(stdout).toMatch(/^HTTP\/1\.1 404 Not Found\r\n/);
      expect(stdout).toMatch(/\r\nx-amzn-requestid: [0-9a-f-]{36}\r\n/i);
      expect(stdout.endsWith('no route')).toBe(true);
    } finally {
      controller.abort();
    }
    expect((await running).exitCode).toBe(130);
  });
});
