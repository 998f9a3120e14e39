// The benchmark's Runtime API: a lean HTTP/1.1 server over raw TCP (so the server costs little next to the
// clients being measured) that hands out numbered events, checks every posted body byte for byte against the
// event it echoes, and records when the warm-up ended and the last response arrived.
import net from 'node:net';
import { performance } from 'node:perf_hooks';

const CRLFCRLF = Buffer.from('\r\n\r\n');
const ACCEPTED = Buffer.from(
  'HTTP/1.1 202 Accepted\r\nContent-Type: application/json\r\nContent-Length: 16\r\n\r\n{"status":"OK"}\n',
);
const CONTINUE = Buffer.from('HTTP/1.1 100 Continue\r\n\r\n');

/**
 * Serves invocations of `makeEvent(i)` (a Buffer) and resolves `done` with `{ failures, measured }` once the last is
 * answered. Either a fixed number (`warmup` then `count`), or for a time (`seconds`): then the warm-up lasts until
 * `warmupSeconds` have passed and at least `warmup` responses are in, and the measured span until `seconds` have
 * passed and at least `count` responses are in. `onMark(name, measured)` is called at 'first-next', 'measure-start'
 * and 'measure-end', and with 'window' every `windowSize` responses, or every `windowMs` in a timed run, past the
 * warm-up (so a caller can take the median of several windows); `measured` counts the responses past the warm-up.
 */
export async function startBenchApi({
  makeEvent,
  warmup,
  count,
  onMark,
  windowSize = 0,
  seconds = 0,
  warmupSeconds = 0,
  windowMs = 0,
}) {
  const timed = seconds > 0;
  let total = timed ? Infinity : warmup + count;
  let warmupEnds = timed ? Infinity : warmup;
  let firstAnswerAt = 0;
  let measureStartAt = 0;
  let lastWindowAt = 0;
  let issued = 0;
  let answered = 0;
  const expected = new Map();
  const failures = [];
  let resolveDone;
  const done = new Promise((resolve) => (resolveDone = resolve));
  const deadline = String(Date.now() + 3_600_000);

  const sockets = new Set();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.setNoDelay(true);
    socket.on('error', () => {});
    // Bytes are gathered as a list and joined once a request is complete: joining on every read would copy a
    // 6 MB body a hundred times over and make the server, not the client, what the benchmark measures.
    let parts = [];
    let size = 0;
    let need = -1; // total bytes of the request being read, once its head is known
    let headEnd = -1;
    let head = '';
    let continued = false;
    socket.on('data', (data) => {
      parts.push(data);
      size += data.length;
      for (;;) {
        if (need < 0) {
          const buffered = parts.length === 1 ? parts[0] : Buffer.concat(parts, size);
          parts = [buffered];
          headEnd = buffered.indexOf(CRLFCRLF);
          if (headEnd < 0) return;
          head = buffered.toString('latin1', 0, headEnd);
          const lower = head.toLowerCase();
          if (lower.includes('\r\ntransfer-encoding:'))
            throw new Error('bench api: chunked requests are not expected here');
          const lengthMatch = /\r\ncontent-length:\s*(\d+)/.exec(lower);
          need = headEnd + 4 + (lengthMatch === null ? 0 : Number(lengthMatch[1]));
          if (size < need && !continued && lower.includes('\r\nexpect: 100-continue')) {
            continued = true;
            socket.write(CONTINUE);
          }
        }
        if (size < need) return;
        const buffered = parts.length === 1 ? parts[0] : Buffer.concat(parts, size);
        const body = buffered.subarray(headEnd + 4, need);
        const rest = buffered.subarray(need);
        parts = rest.length === 0 ? [] : [rest];
        size = rest.length;
        need = -1;
        continued = false;
        handle(socket, head, body);
        if (size === 0) return;
      }
    });
  });

  function handle(socket, head, body) {
    const space = head.indexOf(' ');
    const path = head.slice(space + 1, head.indexOf(' ', space + 1));
    if (path.endsWith('/next')) {
      if (issued === 0) onMark('first-next');
      if (issued >= total) return; // hold: the benchmark is over
      const i = issued++;
      const id = `bench-${i}`;
      const event = makeEvent(i);
      expected.set(id, event);
      socket.write(
        `HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nLambda-Runtime-Aws-Request-Id: ${id}\r\n` +
          `Lambda-Runtime-Deadline-Ms: ${deadline}\r\nLambda-Runtime-Invoked-Function-Arn: arn:aws:lambda:us-east-1:123456789012:function:bench\r\n` +
          `Lambda-Runtime-Trace-Id: Root=1-00000000-000000000000000000000000;Sampled=0\r\nContent-Length: ${event.length}\r\n\r\n`,
      );
      socket.write(event);
      return;
    }
    const match = /\/invocation\/([^/]+)\/(response|error)$/.exec(path);
    if (match === null) {
      failures.push(`unexpected request: ${head.split('\r\n')[0]}`);
      socket.write(ACCEPTED);
      return;
    }
    const event = expected.get(match[1]);
    expected.delete(match[1]);
    if (match[2] === 'error') failures.push(`${match[1]} failed: ${body.toString('utf8', 0, 300)}`);
    else if (event === undefined) failures.push(`${match[1]}: response for an unknown invocation`);
    else if (!body.equals(event))
      failures.push(`${match[1]}: response body differs from the event (${body.length} vs ${event.length} bytes)`);
    socket.write(ACCEPTED);
    answered++;
    if (timed) return answeredFor(performance.now());
    if (answered === warmup) onMark('measure-start', 0);
    else if (windowSize > 0 && answered > warmup && answered < total && (answered - warmup) % windowSize === 0)
      onMark('window', answered - warmup);
    if (answered === total) {
      onMark('measure-end', count);
      resolveDone({ failures, measured: count });
    }
  }

  // A timed run: the warm-up and the measured span end at a response once both their time and count are reached;
  // what was issued beyond the end is still answered but not measured.
  function answeredFor(now) {
    if (answered === 1) firstAnswerAt = now;
    if (warmupEnds === Infinity) {
      if (answered >= warmup && now - firstAnswerAt >= warmupSeconds * 1000) {
        warmupEnds = answered;
        measureStartAt = now;
        lastWindowAt = now;
        onMark('measure-start', 0);
      }
      return;
    }
    const measured = answered - warmupEnds;
    if (total === Infinity && measured >= count && now - measureStartAt >= seconds * 1000) {
      total = answered;
      onMark('measure-end', measured);
      resolveDone({ failures, measured });
    } else if (windowMs > 0 && now - lastWindowAt >= windowMs) {
      lastWindowAt = now;
      onMark('window', measured);
    }
  }

  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    address: `127.0.0.1:${server.address().port}`,
    done,
    failures,
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(resolve);
      }),
    server,
  };
}
