// The handler files the HTTP front tests run (CommonJS, loaded by tslambda's runtime on the host).
import { RESULT_CASES } from './cases.js';

export const WEB_HANDLER = `
const RESULTS = ${JSON.stringify(RESULT_CASES.map((c) => c.result))};
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
exports.handler = async (event) => {
  const path = event.rawPath ?? event.path;
  if (path === '/echo') return { statusCode: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify(event) };
  if (path.startsWith('/result/')) return RESULTS[Number(path.slice('/result/'.length))];
  if (path === '/throw') throw new Error('the handler failed');
  if (path === '/sleep') await sleep(60000);
  if (path === '/slow') {
    const start = Date.now();
    await sleep(200);
    return { pid: process.pid, start, end: Date.now() };
  }
  return { statusCode: 404, body: 'no route for ' + path };
};

// Streams with an HTTP prelude, as a Function URL in RESPONSE_STREAM mode; waits on ?gate=URL between its parts.
exports.stream = awslambda.streamifyResponse(async (event, responseStream) => {
  const path = event.rawPath ?? event.path;
  const stream = awslambda.HttpResponseStream.from(responseStream, {
    statusCode: 201,
    headers: { 'content-type': 'text/plain; charset=utf-8', 'x-streamed': 'yes' },
    cookies: ['stream=1; Path=/'],
  });
  if (path === '/bulk') {
    // 20 MiB as fast as the stream takes it: block i is 4 KiB (several fit in a stream's buffer) of the byte i % 256.
    for (let block = 0; block < 5120; block++) {
      if (!stream.write(Buffer.alloc(4096, block % 256))) await new Promise((resolve) => stream.once('drain', resolve));
    }
    stream.end();
    return;
  }
  stream.write('part one;');
  if (path === '/fails') {
    await sleep(20);
    throw new Error('failed mid-stream');
  }
  const gate = (event.queryStringParameters ?? {}).gate;
  if (gate) await fetch(gate);
  stream.write('part two');
  stream.end();
});
`;
