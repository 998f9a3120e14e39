// Raw HTTP helpers for the emulator contract tests: what a runtime client sends, byte for byte.

import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { connect } from 'node:net';

export interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
  json(): any;
}

export function send(
  address: string,
  method: string,
  path: string,
  options: { headers?: Record<string, string>; body?: Buffer | string } = {},
): Promise<RawResponse> {
  const [host, port] = address.split(':');
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host, port: Number(port), method, path, headers: options.headers, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const body = Buffer.concat(chunks);
          resolve({ status: res.statusCode!, headers: res.headers, body, json: () => JSON.parse(body.toString()) });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

/** Writes raw bytes on a fresh socket and returns everything the server answers until it closes. */
export function sendBytes(address: string, bytes: string | Buffer): Promise<string> {
  const [host, port] = address.split(':');
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), host, () => socket.write(bytes));
    const chunks: Buffer[] = [];
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('close', () => resolve(Buffer.concat(chunks).toString('latin1')));
    socket.on('error', (error: NodeJS.ErrnoException) =>
      error.code === 'ECONNRESET' ? resolve(Buffer.concat(chunks).toString('latin1')) : reject(error),
    );
  });
}

/** Writes raw bytes on a fresh socket, then hangs up without waiting for an answer. */
export function sendAndHangUp(address: string, bytes: string): Promise<void> {
  const [host, port] = address.split(':');
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), host, () => socket.write(bytes, () => socket.destroy()));
    socket.on('close', () => resolve());
    socket.on('error', reject);
  });
}

/** A runtime's `/next` call whose state can be inspected while it waits. */
export function next(address: string): { response: Promise<RawResponse>; answered: () => boolean; abort: () => void } {
  const [host, port] = address.split(':');
  let done = false;
  const req = httpRequest({
    host,
    port: Number(port),
    method: 'GET',
    path: '/2018-06-01/runtime/invocation/next',
    agent: false,
  });
  const response = new Promise<RawResponse>((resolve, reject) => {
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        done = true;
        const body = Buffer.concat(chunks);
        resolve({ status: res.statusCode!, headers: res.headers, body, json: () => JSON.parse(body.toString()) });
      });
    });
    req.on('error', reject);
  });
  response.catch(() => undefined); // an abandoned /next is not an unhandled rejection
  req.end();
  return { response, answered: () => done, abort: () => req.destroy() };
}
