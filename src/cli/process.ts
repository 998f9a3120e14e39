// Binds the CLI to the real process: streams, environment, Ctrl-C, exit code.
import { runCli } from './main.js';
import { ExitCode } from '../core/errors.js';

const CLEANUP_GRACE_MS = 10_000;

export async function main(argv: string[]): Promise<void> {
  // The AWS SDK warns on every run under Node 20 about its own future releases; tslambda supports Node 20,
  // so that notice would only be noise in the user's output. An explicit setting is respected. This is the
  // process's own entry, the one place that may write process.env.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const controller = new AbortController();
  // First Ctrl-C: let the running command stop and clean up; a second one leaves at once.
  const stop = (reason: string) => {
    if (controller.signal.aborted) process.exit(ExitCode.interrupted);
    controller.abort(new Error(reason));
    // Cleanup gets a bounded time; a request that ignores the signal must not keep the process alive.
    setTimeout(() => process.exit(ExitCode.interrupted), CLEANUP_GRACE_MS).unref();
  };
  process.on('SIGINT', () => stop('interrupted'));
  process.on('SIGTERM', () => stop('terminated'));
  const code = await runCli(argv, {
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    env: process.env,
    cwd: process.cwd(),
    interactive: Boolean(process.stderr.isTTY) && !process.env.CI,
    signal: controller.signal,
  });
  process.exitCode = code;
  // The outcome is final: a socket a stalled engine never answered, or a timer, must not keep the process
  // alive. Leave once stdout and stderr (perhaps pipes still draining) have taken everything written.
  await Promise.all([flushed(process.stdout), flushed(process.stderr)]);
  process.exit(code);
}

function flushed(stream: NodeJS.WriteStream): Promise<void> {
  return new Promise((resolve) => {
    if (stream.destroyed || !stream.writable) return resolve();
    stream.write('', () => resolve());
  });
}
