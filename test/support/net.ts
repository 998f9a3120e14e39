// Loopback ports for servers that tests start.
import { createServer } from 'node:net';

/** A port the kernel just handed out; the caller binds it right after (a tiny race, acceptable in tests). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
