// The Output port: what commands and pipelines may show a person or a program. The terminal implementation
// lives in src/cli/terminal.ts; adapters below the pipeline take narrower callbacks.
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
  /**
   * Runs one step of long work, showing its progress and how long it took. An update is the spinner's text; in
   * plain output only with --verbose, unless `asLine` says it is progress worth a line of its own (a canary's bake).
   */
  step<T>(title: string, work: (update: (text: string, asLine?: boolean) => void) => Promise<T>): Promise<T>;
  info(line: string): void;
  warn(line: string): void;
  /** Only with --verbose. */
  debug(line: string): void;
  /** The end of a command: a human summary on stderr, or the JSON object alone on stdout. */
  result(human: string, json: unknown): void;
  /**
   * The output of one target of a run over many (function × region): its steps may overlap other targets'.
   * A row of a live display on a terminal, lines prefixed by `label` elsewhere. Its `info` is the row's latest
   * news, its `result` the row's last word; the command's own `result` ends the display. Absent: use this output.
   */
  forTarget?(label: string): Output;
}

export function formatDuration(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)}ms` : `${(ms / 1000).toFixed(1)}s`;
}
