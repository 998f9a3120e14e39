// Binds the CLI to the real process: streams, environment, Ctrl-C, exit code.
import { runCli } from './main.js';
import { ExitCode } from './errors.js';

export async function main(argv: string[]): Promise<void> {
  const controller = new AbortController();
  // First Ctrl-C: let the running command stop and clean up; a second one leaves at once.
  process.on('SIGINT', () => {
    if (controller.signal.aborted) process.exit(ExitCode.interrupted);
    controller.abort(new Error('interrupted'));
  });
  process.on('SIGTERM', () => controller.abort(new Error('terminated')));
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
  // Stdout may be a pipe that is still draining; let Node exit when it has.
}
