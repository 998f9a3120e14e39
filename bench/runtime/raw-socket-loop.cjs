'use strict';
// The "raw socket" Runtime API loop the benchmark compares against: the simplest HTTP/1.1 client over one
// net.Socket, GET /next → handler → POST /response, a Content-Length body gathered from the socket's chunks and
// nothing else (no chunked bodies, no pipelining, no error handling): reads are kept as a list and joined once.

const net = require('net');
const path = require('path');

const [host, port] = process.env.AWS_LAMBDA_RUNTIME_API.split(':');
const taskRoot = process.env.LAMBDA_TASK_ROOT || process.cwd();
const [file, name] = (process.env._HANDLER || process.argv[2]).split('.');
const handler = require(path.resolve(taskRoot, file))[name];
const base = '/2018-06-01/runtime/invocation';
const hostHeader = `Host: ${host}:${port}\r\n`;

const socket = net.connect({ host, port: Number(port) });
socket.setNoDelay(true);

let parts = []; // the reads of a response not yet complete, joined once it is
let size = 0;
let need = -1; // the response's total bytes, once its head is in
let headEnd = -1;
let onResponse = null;

socket.on('data', (chunk) => {
  parts.push(chunk);
  size += chunk.length;
  if (need < 0) {
    const joined = Buffer.concat(parts, size);
    parts = [joined];
    headEnd = joined.indexOf('\r\n\r\n');
    if (headEnd < 0) return;
    const match = /\r\ncontent-length: *(\d+)/i.exec(joined.toString('latin1', 0, headEnd));
    need = headEnd + 4 + (match === null ? 0 : Number(match[1]));
  }
  if (size < need) return;
  const response = parts.length === 1 ? parts[0] : Buffer.concat(parts, size);
  parts = [];
  size = 0;
  need = -1;
  onResponse(response.toString('latin1', 0, headEnd), response.subarray(headEnd + 4));
});

function next() {
  onResponse = onEvent;
  socket.write(`GET ${base}/next HTTP/1.1\r\n${hostHeader}\r\n`);
}

async function onEvent(head, body) {
  const id = /\r\nlambda-runtime-aws-request-id: *([^\r]+)/i.exec(head)[1];
  const result = Buffer.from(JSON.stringify(await handler(JSON.parse(body.toString('utf8')), { awsRequestId: id })));
  onResponse = next;
  socket.write(
    `POST ${base}/${id}/response HTTP/1.1\r\n${hostHeader}Content-Type: application/json\r\nContent-Length: ${result.length}\r\n\r\n`,
  );
  socket.write(result);
}

next();
