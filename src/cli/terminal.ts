// The terminal implementation of Output: a spinner per step on a TTY, plain lines elsewhere, JSON results.
import type { Ora } from 'ora';
import { formatDuration, type Output, type OutputOptions } from '../core/output.js';
import { createRows } from './rows.js';

const paint = (enabled: boolean, code: number) => (text: string) =>
  enabled ? `\u001b[${code}m${text}\u001b[39m` : text;

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
  const rows = createRows({
    stderr,
    interactive: options.interactive && showSteps,
    silent: !showSteps,
    verbose,
    paint: { green, red, dim },
  });

  const output: Output = {
    json,
    verbose,
    quiet,
    color,
    stdout,
    stderr,

    async step(title, work) {
      const started = performance.now();
      let spinner: Ora | undefined;
      if (ora)
        spinner = ora({ text: title, stream: stderr, color: color ? 'cyan' : false, discardStdin: false }).start();
      else if (showSteps) line(`${title} …`);
      let lastPlain = '';
      const update = (text: string, asLine = false) => {
        if (spinner) spinner.text = `${title} ${dim(text)}`;
        else if ((verbose || asLine) && showSteps && text !== lastPlain) {
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
      rows.stop();
      if (json) stdout.write(`${JSON.stringify(value, null, 2)}\n`);
      else if (!quiet) line(human);
    },
    forTarget: (label) => rows.forTarget(output, label),
  };
  return output;
}

/** NO_COLOR (any non-empty value) and --no-color turn colour off; so does a stream that is not a terminal. */
export function wantsColor(flag: boolean | undefined, env: NodeJS.ProcessEnv, interactive: boolean): boolean {
  if (flag === false) return false;
  if (env.NO_COLOR) return false;
  if (flag === true) return true;
  return interactive && env.TERM !== 'dumb';
}
