// An HTTP proxy in front of a test registry that records every request (method and path), so a test can say what
// a push or a copy did: which blobs and manifests were written, and that a no-op deploy wrote nothing.
import { createServer, request as forward } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordingProxy {
  /** 127.0.0.1:<port>: use it as the registry host; the Host header passes through, so Locations point here too. */
  host: string;
  /** "METHOD /v2/…" for every request, in order. */
  requests: string[];
  /** Requests that write: blob uploads (POST/PATCH/PUT) and manifest PUTs. */
  writes(): string[];
  close(): Promise<void>;
}

export async function startRecordingProxy(target: { host: string }): Promise<RecordingProxy> {
  const [hostname, port] = target.host.split(':') as [string, string];
  const requests: string[] = [];
  const server = createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    const upstream = forward(
      { hostname, port: Number(port), method: req.method, path: req.url, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    host: `127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    writes: () => requests.filter((line) => /^(POST|PATCH|PUT|DELETE) /.test(line)),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
