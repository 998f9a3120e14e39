// A front (--serve, --http) that cannot open its port is bad input, not a bug: one line naming the flag and the
// port, and a hint with the fix; any other failure to listen is left as it is.

import { ExitCode, UserError } from '../core/errors.js';

/** Rethrows `error` as that line when the port is taken (EADDRINUSE) or not allowed (EACCES). */
export function refuseListen(flag: '--serve' | '--http', port: number, error: NodeJS.ErrnoException): never {
  if (error.code !== 'EADDRINUSE' && error.code !== 'EACCES') throw error;
  const other = port < 65535 ? port + 1 : port - 1;
  throw new UserError(
    `${flag} cannot listen on port ${port}: ${error.code === 'EADDRINUSE' ? 'it is already in use' : 'permission denied'}`,
    {
      exitCode: ExitCode.usage,
      hint: `pick another port, e.g. ${flag} ${other}, or stop what holds port ${port}`,
      cause: error,
    },
  );
}
