// Output for runs over many targets (function × region): on a terminal one live row per target with its step and
// time, redrawn in place; elsewhere plain lines prefixed by the target; with --json nothing until the result.
import { formatDuration, type Output } from '../core/output.js';

interface Row {
  label: string;
  text: string;
  mark: ' ' | '✔' | '✖' | '…';
  started: number;
  /** Set once the row's last step ended: the time stops there. */
  ended?: number;
}

export interface RowsOptions {
  stderr: NodeJS.WritableStream;
  interactive: boolean;
  /** Nothing is shown (--json, --quiet). */
  silent: boolean;
  verbose: boolean;
  paint: { green(text: string): string; red(text: string): string; dim(text: string): string };
}

const SPINNER = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

export function createRows(options: RowsOptions) {
  const { stderr, paint } = options;
  const rows: Row[] = [];
  let drawn = 0;
  let frame = 0;
  let timer: NodeJS.Timeout | undefined;
  const width = () => Math.max(10, ...rows.map((row) => row.label.length));

  const render = (row: Row) => {
    const mark =
      row.mark === '✔'
        ? paint.green('✔')
        : row.mark === '✖'
          ? paint.red('✖')
          : row.mark === '…'
            ? SPINNER[frame % SPINNER.length]
            : ' ';
    const took = formatDuration((row.ended ?? performance.now()) - row.started);
    return `${mark} ${row.label.padEnd(width())}  ${row.text} ${paint.dim(took)}`;
  };
  /** Erases the board, writes `above` (lines that stay), draws the board again. */
  const redraw = (above = '') => {
    let text = drawn > 0 ? `\u001b[${drawn}A\u001b[0J` : '';
    text += above;
    text += rows.map((row) => `${render(row)}\n`).join('');
    drawn = rows.length;
    frame += 1;
    stderr.write(text);
  };
  const ensureTimer = () => {
    if (timer || !options.interactive) return;
    timer = setInterval(() => redraw(), 100);
    timer.unref();
  };

  function rowFor(label: string): Row {
    let row = rows.find((candidate) => candidate.label === label);
    if (!row) {
      row = { label, text: 'waiting', mark: ' ', started: performance.now() };
      rows.push(row);
    }
    return row;
  }

  const plain = (label: string, text: string) => stderr.write(`[${label}] ${text}\n`);

  /** Lines that must stay (a warning): above the board on a terminal. */
  const above = (line: string) => {
    if (options.interactive && drawn > 0) redraw(`${line}\n`);
    else stderr.write(`${line}\n`);
  };

  return {
    above,
    /** Ends the live display with its last frame, so that what follows prints below it. */
    stop() {
      if (timer) clearInterval(timer);
      timer = undefined;
      if (options.interactive && drawn > 0) redraw();
      drawn = 0;
    },
    forTarget(base: Output, label: string): Output {
      if (!options.silent && options.interactive) ensureTimer();
      return targetOutput(base, rowFor(label), options, { plain: (text) => plain(label, text), above });
    },
  };
}

/** One target's Output: its steps move its row (or print prefixed lines), its result is the row's last word. */
function targetOutput(
  base: Output,
  row: Row,
  options: RowsOptions,
  write: { plain(text: string): void; above(line: string): void },
): Output {
  const { paint, interactive } = options;
  const show = !options.silent;
  const lines = show && !interactive;
  return {
    ...base,
    async step(title, work) {
      const started = performance.now();
      Object.assign(row, { text: title, mark: '…', ended: undefined });
      if (lines) write.plain(`${title} …`);
      const update = (text: string) => {
        if (interactive) row.text = `${title} ${paint.dim(text)}`;
        else if (lines && options.verbose) write.plain(`  ${text}`);
      };
      try {
        const value = await work(update);
        Object.assign(row, { text: title, mark: '✔', ended: performance.now() });
        if (lines) write.plain(`${paint.green('✔')} ${title} (${formatDuration(performance.now() - started)})`);
        return value;
      } catch (error) {
        Object.assign(row, { text: title, mark: '✖', ended: performance.now() });
        if (lines) write.plain(`${paint.red('✖')} ${title}`);
        throw error;
      }
    },
    // A target's own news is its row's text on a terminal; a line of its own elsewhere.
    info(line) {
      row.text = line;
      if (lines) write.plain(line);
    },
    // Warnings print even with --json (on stderr), as the single-target output does.
    warn(line) {
      write.above(`[${row.label}] warning: ${line}`);
    },
    debug(line) {
      if (options.verbose) write.above(paint.dim(`[${row.label}] ${line}`));
    },
    /** A target's ending: its row shows it; the command prints the summary. */
    result(human) {
      Object.assign(row, { text: human.split('\n')[0], ended: row.ended ?? performance.now() });
    },
    forTarget: undefined,
  };
}
