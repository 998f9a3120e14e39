'use strict';
// @ts-check
// The stdio protocol: the program starts once and stays warm; per invocation it reads one line of JSON
// `{"context": {…}, "event": …}` on stdin and answers with one stdout line `@tslambda {"result": …}` or
// `@tslambda {"error": {"type": …, "message": …}}`. Every other stdout line, and stderr, are function logs.
// With `awaitReady`, init waits for the program's `@tslambda {"ready": true}` (so a JIT warms up before the first
// event); otherwise that line is ignored. The deadline is enforced here: a program that does not answer in time is
// killed and started again.

const { ProgramProcess, programError, describeExit, timeoutError, untilDeadline } = require('./program-process.cjs');
const { contextOf } = require('./program.cjs');
const { InitError } = require('./handler-loader.cjs');

/** @typedef {import('./program.cjs').ProgramConfig} ProgramConfig */
/** @typedef {import('./program.cjs').ProgramOptions} ProgramOptions */
/** @typedef {import('./program.cjs').ProgramContext} ProgramContext */
/**
 * The invocation in progress.
 * @typedef {{
 *   resolve: (value: unknown) => void, reject: (error: Error) => void, timer: NodeJS.Timeout | null,
 *   startedMs: number, deadlineMs: number
 * }} Current
 */

const FRAME = Buffer.from('@tslambda ');
const EXIT_ERROR = 'Runtime.ExitError';
const INVALID_RESPONSE = 'Runtime.InvalidResponse';

class StdioWorker {
  /**
   * @param {ProgramConfig} config
   * @param {ProgramOptions} options
   */
  constructor(config, options) {
    this.config = config;
    this.options = options;
    /** @type {ProgramProcess | null} */
    this.proc = null;
    /** @type {Current | null} */
    this.current = null;
    /** @type {((exit: string | undefined) => void) | null} set while start() waits for the ready line */
    this.onReady = null;
  }

  /**
   * Starts (or starts again) the program; resolves once it runs.
   * @returns {Promise<void>}
   */
  start() {
    const proc = new ProgramProcess(
      this.config.command,
      this.options,
      (line) => this.onLine(line),
      (code, signal) => this.onExit(proc, code, signal),
    );
    this.proc = proc;
    const started = proc.started();
    return this.config.awaitReady ? started.then(() => this.ready(proc)) : started.then(() => undefined);
  }

  /**
   * Resolves on the program's ready line; an InitError with its last output when it exits or takes too long.
   * @param {ProgramProcess} proc
   * @returns {Promise<void>}
   */
  ready(proc) {
    const command = JSON.stringify(this.config.command.join(' '));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.onReady = null;
        proc.kill();
        reject(
          new InitError(
            'Runtime.ProgramNotReady',
            `the program ${command} did not write @tslambda {"ready": true} within ${this.config.initTimeoutMs} ms; its last output:\n${proc.tail()}`,
          ),
        );
      }, this.config.initTimeoutMs);
      this.onReady = (exit) => {
        clearTimeout(timer);
        this.onReady = null;
        if (exit === undefined) resolve();
        else
          reject(
            new InitError(
              EXIT_ERROR,
              `the program ${command} ${exit} before it was ready; its last output:\n${proc.tail()}`,
            ),
          );
      };
    });
  }

  /**
   * @param {unknown} event
   * @param {ProgramContext} context
   * @returns {Promise<unknown>}
   */
  async invoke(event, context) {
    // A restart that fails is this invocation's failure, told as the program's (as http does), not with the
    // runtime's own stack as an init error would be.
    if (this.proc === null)
      await this.start().catch((/** @type {Error & { errorType?: string }} */ err) =>
        Promise.reject(programError(err.errorType ?? EXIT_ERROR, err.message)),
      );
    const proc = this.proc;
    // Gone again before its first line: the exit was reported to no invocation, so it is this one's.
    if (proc === null)
      throw programError(
        EXIT_ERROR,
        `the program ${JSON.stringify(this.config.command.join(' '))} exited as it started`,
      );
    // Context first, event last: see contextOf.
    const line = `{"context":${JSON.stringify(contextOf(context))},"event":${JSON.stringify(event)}}\n`;
    return new Promise((resolve, reject) => {
      const startedMs = Date.now();
      const deadlineMs = context.deadlineMs;
      const timer = Number.isFinite(deadlineMs) ? setTimeout(() => this.onDeadline(), untilDeadline(deadlineMs)) : null;
      this.current = { resolve, reject, timer, startedMs, deadlineMs };
      proc.write(line);
    });
  }

  /**
   * Ends the invocation in progress with `failed`/`value`; false when none was in progress.
   * @param {boolean} failed
   * @param {unknown} value an Error when failed
   */
  finish(failed, value) {
    const current = this.current;
    if (current === null) return false;
    this.current = null;
    if (current.timer !== null) clearTimeout(current.timer);
    if (failed) current.reject(/** @type {Error} */ (value));
    else current.resolve(value);
    return true;
  }

  /**
   * @param {Buffer} line
   * @returns {boolean} whether the line was a frame (not a log line)
   */
  onLine(line) {
    if (line.length < FRAME.length || FRAME.compare(line, 0, FRAME.length) !== 0) return false;
    const text = line.toString('utf8', FRAME.length).trim();
    /** @type {any} */
    let frame;
    try {
      frame = JSON.parse(text);
    } catch (err) {
      return this.answer(
        true,
        programError(
          INVALID_RESPONSE,
          `the program's answer is not valid JSON (${/** @type {Error} */ (err).message}): ${text.slice(0, 200)}`,
        ),
      );
    }
    if (frame !== null && typeof frame === 'object' && frame.ready === true && !('result' in frame)) {
      if (this.onReady !== null) this.onReady(undefined);
      return true;
    }
    if (frame !== null && typeof frame === 'object' && 'result' in frame) return this.answer(false, frame.result);
    if (frame !== null && typeof frame === 'object' && frame.error !== null && typeof frame.error === 'object') {
      const { type, message } = frame.error;
      return this.answer(
        true,
        programError(
          typeof type === 'string' && type !== '' ? type : 'Error',
          typeof message === 'string' ? message : JSON.stringify(message ?? ''),
        ),
      );
    }
    return this.answer(
      true,
      programError(
        INVALID_RESPONSE,
        `the program's answer must be {"result": …} or {"error": {"type": …, "message": …}}, not: ${text.slice(0, 200)}`,
      ),
    );
  }

  /**
   * @param {boolean} failed
   * @param {unknown} value
   */
  answer(failed, value) {
    if (!this.finish(failed, value))
      process.stderr.write(
        'tslambda runtime: the program wrote an answer while no invocation was in progress; it is ignored\n',
      );
    return true;
  }

  onDeadline() {
    const current = this.current;
    if (current === null) return;
    // As Lambda does with the environment: the program may be stuck or hold half-done state, so it starts afresh.
    const proc = this.proc;
    this.proc = null;
    if (proc !== null) proc.kill();
    this.finish(true, timeoutError(current.startedMs, current.deadlineMs));
  }

  /**
   * @param {ProgramProcess} proc
   * @param {number | null} code
   * @param {NodeJS.Signals | null} signal
   */
  onExit(proc, code, signal) {
    if (proc !== this.proc) return; // killed at a deadline: already reported
    this.proc = null;
    if (this.onReady !== null) return void this.onReady(describeExit(code, signal));
    const message = `the program ${JSON.stringify(this.config.command.join(' '))} ${describeExit(code, signal)}`;
    if (!this.finish(true, programError(EXIT_ERROR, `${message} before answering; its last output:\n${proc.tail()}`))) {
      process.stderr.write(`tslambda runtime: ${message} between invocations; it is started again for the next one\n`);
    }
  }
}

/**
 * @param {ProgramConfig} config
 * @param {ProgramOptions} options
 */
async function start(config, options) {
  const worker = new StdioWorker(config, options);
  await worker.start();
  return (/** @type {unknown} */ event, /** @type {ProgramContext} */ context) => worker.invoke(event, context);
}

module.exports = { start, StdioWorker, FRAME };
