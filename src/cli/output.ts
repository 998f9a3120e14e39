// Everything the CLI shows a person or a program: step progress, warnings, the final result.
import type { Ora } from 'ora';

export interface OutputOptions {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  /** Whether stderr is a terminal: spinners there, plain lines elsewhere (CI, pipes). */
  interactive: boolean;
  color: boolean;
  json: boolean;
  verbose: boolean;
  quiet: boolean;
}

export interface Output {
  readonly json: boolean;
  readonly verbose: boolean;
  readonly quiet: boolean;
  readonly color: boolean;
  /** Raw streams, for data that must pass through untouched (a function's response, its logs). */
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
  /** Runs one step of long work, showing its progress and how long it took. */
  step<T>(title: string, work: (update: (text: string) => void) => Promise<T>): Promise<T>;
  info(line: string): void;
  warn(line: string): void;
  /** Only with --verbose. */
  debug(line: string): void;
  /** The end of a command: a human summary on stderr, or the JSON object alone on stdout. */
  result(human: string, json: unknown): void;
}

const paint = (enabled: boolean, code: number) => (text: string) => (enabled ? `\u001b[${code}m${text}\u001b[39m` : text);

export function formatDuration(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)}ms` : `${(ms / 1000).toFixed(1)}s`;
}

export async function createOutput(options: OutputOptions): Promise<Output> {
  const { stdout, stderr, json, verbose, quiet, color } = options;
  const green = paint(color, 32);
  const yellow = paint(color, 33);
  const red = paint(color, 31);
  const dim = paint(color, 90);
  // Status lines go to stderr so that stdout carries only results; with --json or --quiet they are silent.
  const showSteps = !json && !quiet;
  const spinners = showSteps && options.interactive;
  // ora is loaded only when a spinner will really be drawn.
  const ora = spinners ? (await import('ora')).default : undefined;
  const line = (text: string) => stderr.write(`${text}\n`);

  return {
    json,
    verbose,
    quiet,
    color,
    stdout,
    stderr,

    async step(title, work) {
      const started = performance.now();
      let spinner: Ora | undefined;
      if (ora) spinner = ora({ text: title, stream: stderr, color: color ? 'cyan' : false, discardStdin: false }).start();
      else if (showSteps) line(`${title} …`);
      let lastPlain = '';
      const update = (text: string) => {
        if (spinner) spinner.text = `${title} ${dim(text)}`;
        else if (verbose && showSteps && text !== lastPlain) {
          lastPlain = text;
          line(`  ${text}`);
        }
      };
      try {
        const value = await work(update);
        const took = formatDuration(performance.now() - started);
        if (spinner) spinner.succeed(`${title} ${dim(`(${took})`)}`);
        else if (showSteps) line(`${green('✔')} ${title} (${took})`);
        return value;
      } catch (error) {
        if (spinner) spinner.fail(title);
        else if (showSteps) line(`${red('✖')} ${title}`);
        throw error;
      }
    },

    info(text) {
      if (showSteps) line(text);
    },
    warn(text) {
      if (!json || verbose) line(`${yellow('warning:')} ${text}`);
      else line(`warning: ${text}`);
    },
    debug(text) {
      if (verbose) line(dim(text));
    },
    result(human, value) {
      if (json) stdout.write(`${JSON.stringify(value, null, 2)}\n`);
      else if (!quiet) line(human);
    },
  };
}

/** NO_COLOR (any non-empty value) and --no-color turn colour off; so does a stream that is not a terminal. */
export function wantsColor(flag: boolean | undefined, env: NodeJS.ProcessEnv, interactive: boolean): boolean {
  if (flag === false) return false;
  if (env.NO_COLOR) return false;
  if (flag === true) return true;
  return interactive && env.TERM !== 'dumb';
}
