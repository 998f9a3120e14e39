// Settles the new function's name, region and architecture: flags first, then questions on a terminal, then defaults.
import { basename } from 'node:path';
import { createInterface } from 'node:readline/promises';
import { ExitCode, UserError } from '../core/errors.js';
import { DEFAULT_BASE_IMAGE, type Architecture } from '../config/types.js';
import { fieldChecks } from '../config/schema.js';
import { nodeMajorOfImage } from '../bundle/node-target.js';
import type { InitAnswers } from './templates.js';

export interface InitFlags {
  name?: string;
  region?: string;
  architecture?: Architecture;
  baseImage?: string;
}

/** Asks one question; resolves to the typed answer, or '' for the default. */
export type Ask = (question: string) => Promise<string>;

/** A function name Lambda accepts, made from a folder name: `My App!` → `My-App`. */
export function functionNameFromDir(dir: string): string {
  const name = basename(dir)
    .replace(/[^a-zA-Z0-9_-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 64);
  return name || 'hello';
}

function check(key: 'functionName' | 'region', value: string, flag: string): string {
  const problem = fieldChecks[key]!(value, key)[0];
  if (problem)
    throw new UserError(`--${flag} ${JSON.stringify(value)}: ${problem.message}`, { hint: `pass a valid --${flag}` });
  return value;
}

export async function settleAnswers(options: {
  dir: string;
  flags: InitFlags;
  env: NodeJS.ProcessEnv;
  tslambdaVersion: string;
  /** Present only on a terminal: off a TTY init asks nothing. */
  ask?: Ask;
}): Promise<InitAnswers> {
  const { flags, env, ask } = options;
  const suggestedName = functionNameFromDir(options.dir);
  let functionName = flags.name;
  if (!functionName && ask) functionName = (await ask(`Function name (${suggestedName}): `)).trim() || undefined;
  functionName = check('functionName', functionName ?? suggestedName, 'name');

  let region = flags.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
  if (!region && ask) region = (await ask('AWS region (leave empty to decide at deploy time): ')).trim() || undefined;
  if (region) check('region', region, 'region');

  let architecture = flags.architecture;
  if (!architecture && ask) {
    const answer = (await ask('Architecture, x86_64 or arm64 (x86_64): ')).trim();
    if (answer && answer !== 'x86_64' && answer !== 'arm64')
      throw new UserError(`architecture ${JSON.stringify(answer)} is not x86_64 or arm64`, {
        hint: 'run init again, or pass --architecture',
      });
    architecture = (answer || undefined) as Architecture | undefined;
  }

  const baseImage = flags.baseImage ?? DEFAULT_BASE_IMAGE;
  return {
    functionName,
    region,
    architecture: architecture ?? 'x86_64',
    baseImage,
    nodeMajor: nodeMajorOfImage(baseImage),
    tslambdaVersion: options.tslambdaVersion,
  };
}

/**
 * Questions on stderr (stdout stays for results), answers from stdin; the caller closes it. Ctrl-C at a question
 * (read by readline in raw mode, so no signal reaches the process) and `signal` (SIGTERM) end init before it
 * writes anything: exit 130, not readline's AbortError reported as a bug.
 */
export function terminalAsk(
  stdin: NodeJS.ReadableStream,
  stderr: NodeJS.WritableStream,
  signal?: AbortSignal,
): { ask: Ask; close: () => void } {
  const rl = createInterface({ input: stdin, output: stderr, terminal: true });
  const ctrlC = new AbortController();
  rl.on('SIGINT', () => ctrlC.abort());
  const stop = signal ? AbortSignal.any([signal, ctrlC.signal]) : ctrlC.signal;
  return {
    ask: (question) =>
      rl.question(question, { signal: stop }).catch((error: unknown) => {
        if (!stop.aborted) throw error;
        throw new UserError('interrupted; init wrote nothing', { exitCode: ExitCode.interrupted });
      }),
    close: () => rl.close(),
  };
}
