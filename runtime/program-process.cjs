'use strict';
// @ts-check
// One child process of a program handler: spawned with the function's environment in the task root, its stderr
// and (unless a line reader claims them) its stdout lines forwarded as function logs, the tail of its output kept
// for error messages, and its exit reported once.

const { spawn } = require('child_process');
const { InitError } = require('./handler-loader.cjs');

/** @typedef {(code: number | null, signal: NodeJS.Signals | null) => void} ExitListener */

const TAIL_BYTES = 2048;
// Programs still running: killed when the loop exits by itself (a killed loop leaves that to its process group).
/** @type {Set<ProgramProcess>} */
const live = new Set();
process.on('exit', () => {
  for (const proc of live) proc.kill();
});
const NEWLINE = 10;

class ProgramProcess {
  /**
   * `onLine(buffer)` (optional) receives every complete stdout line and returns true when it consumed it; the
   * others are logs. `onExit(code, signal)` is called once when the process is gone.
   * @param {string[]} command
   * @param {{ cwd: string, env: NodeJS.ProcessEnv, collectStdout?: boolean }} options
   * @param {((line: Buffer) => boolean) | undefined} onLine
   * @param {ExitListener} onExit
   */
  constructor(command, options, onLine, onExit) {
    this.command = command;
    this.onLine = onLine;
    this.onExit = onExit;
    /** @type {Buffer[]} */
    this.tailChunks = [];
    this.tailBytes = 0;
    /** @type {Buffer[]} stdout bytes of a line not ended yet */
    this.pending = [];
    this.exited = false;
    /** @type {Buffer[] | null} with collectStdout: all of stdout, which is then not logged */
    this.collected = options.collectStdout === true ? [] : null;
    // In the loop's process group, so that whatever stops the loop (the end of a container, invoke-local --no-docker
    // killing that group) stops the program too, even when the loop itself is killed outright.
    this.child = spawn(command[0] ?? '', command.slice(1), { cwd: options.cwd, env: options.env, stdio: 'pipe' });
    this.child.stderr.on('data', (/** @type {Buffer} */ chunk) => this.log(chunk, process.stderr));
    const collected = this.collected;
    if (collected !== null) this.child.stdout.on('data', (/** @type {Buffer} */ chunk) => collected.push(chunk));
    else if (onLine === undefined)
      this.child.stdout.on('data', (/** @type {Buffer} */ chunk) => this.log(chunk, process.stdout));
    else this.child.stdout.on('data', (/** @type {Buffer} */ chunk) => this.split(chunk, onLine));
    // A write to a program that died raises EPIPE here; the exit is what gets reported.
    this.child.stdin.on('error', () => {});
    this.child.on('close', (code, signal) => this.gone(code, signal));
    live.add(this);
  }

  /** Resolves once the process runs; a command that cannot be started is an init error naming it. */
  started() {
    return new Promise((resolve, reject) => {
      this.child.once('spawn', resolve);
      this.child.once('error', (/** @type {Error} */ err) => {
        reject(
          new InitError(
            'Runtime.InvalidEntrypoint',
            `cannot start the program ${JSON.stringify(this.command.join(' '))}: ${err.message}; check program.command and that the file exists and is executable in the image`,
          ),
        );
      });
    });
  }

  /**
   * @param {Buffer} chunk
   * @param {(line: Buffer) => boolean} onLine
   */
  split(chunk, onLine) {
    let start = 0;
    for (let end = chunk.indexOf(NEWLINE); end >= 0; end = chunk.indexOf(NEWLINE, start)) {
      let line = chunk.subarray(start, end + 1);
      if (this.pending.length > 0) {
        this.pending.push(line);
        line = Buffer.concat(this.pending);
        this.pending = [];
      }
      if (!onLine(line)) this.log(line, process.stdout);
      start = end + 1;
    }
    if (start < chunk.length) this.pending.push(chunk.subarray(start));
  }

  /**
   * @param {Buffer} chunk
   * @param {NodeJS.WriteStream} stream
   */
  log(chunk, stream) {
    stream.write(chunk);
    this.tailChunks.push(chunk.length > TAIL_BYTES ? chunk.subarray(chunk.length - TAIL_BYTES) : chunk);
    this.tailBytes += Math.min(chunk.length, TAIL_BYTES);
    for (
      let oldest = this.tailChunks[0];
      oldest && this.tailBytes - oldest.length >= TAIL_BYTES;
      oldest = this.tailChunks[0]
    ) {
      this.tailChunks.shift();
      this.tailBytes -= oldest.length;
    }
  }

  /** The last lines the program printed (stdout logs and stderr), for error messages. */
  tail() {
    const text = Buffer.concat(this.tailChunks).toString('utf8').trim();
    return text === '' ? '(no output)' : text.slice(-TAIL_BYTES).split('\n').slice(-8).join('\n');
  }

  /** @param {string | Buffer} data */
  write(data) {
    this.child.stdin.write(data);
  }

  /** Kills the program; its exit is still reported through onExit. */
  kill() {
    if (!this.exited) this.child.kill('SIGKILL');
  }

  /**
   * @param {number | null} code
   * @param {NodeJS.Signals | null} signal
   */
  gone(code, signal) {
    if (this.exited) return;
    this.exited = true;
    live.delete(this);
    if (this.pending.length > 0) {
      this.log(Buffer.concat(this.pending), process.stdout);
      this.pending = [];
    }
    this.onExit(code, signal);
  }
}

/**
 * An error the runtime raises for a program: `type` is its Runtime.* (or Sandbox.*) error type.
 * @param {string} type
 * @param {string} message
 */
function programError(type, message) {
  // Posted with no trace: the failure is the program's, and the runtime's own frames are not the function's trace.
  const { RuntimeFailure } = require('./errors.cjs');
  return new RuntimeFailure(type, message);
}

/**
 * @param {number | null} code
 * @param {NodeJS.Signals | null} signal
 */
function describeExit(code, signal) {
  return signal !== null ? `was killed by ${signal}` : `exited with code ${code}`;
}

// The platform enforces the deadline itself (Lambda, invoke-local) and says so in its own words, then stops the
// environment; the runtime's own enforcement, for where nothing else does it, comes a second later, so that it never
// races the platform's stop (acting during it made invoke-local find its container already gone).
const DEADLINE_GRACE_MS = 1000;

/**
 * Milliseconds until the runtime enforces the deadline of an invocation.
 * @param {number} deadlineMs
 */
function untilDeadline(deadlineMs) {
  return Math.max(0, deadlineMs - Date.now() + DEADLINE_GRACE_MS);
}

/**
 * The error of an invocation that reached its deadline, worded as Lambda words it.
 * @param {number} startedMs
 * @param {number} deadlineMs
 */
function timeoutError(startedMs, deadlineMs) {
  const seconds = ((deadlineMs - startedMs) / 1000).toFixed(2);
  return programError('Sandbox.Timedout', `Task timed out after ${seconds} seconds`);
}

module.exports = { ProgramProcess, programError, describeExit, timeoutError, untilDeadline };
