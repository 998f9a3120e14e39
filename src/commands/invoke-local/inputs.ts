// What invoke-local reads besides the config: the event (--data, --event FILE, stdin), --env-file, and which
// fronts (--serve, --http) keep the function warm instead of invoking one event.

import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { UserError } from '../../core/errors.js';
import { parseEnvFile } from '../../local/execution/lambda-env.js';
import type { Fronts } from '../../local/warm-run.js';
import type { ArgsOf, CommandContext } from '../types.js';

type InvokeLocalFlags = ArgsOf<'invoke-local'>;

export function frontsOf(args: InvokeLocalFlags): Fronts | undefined {
  if (args.serve === undefined && args.http === undefined) return undefined;
  return {
    ...(args.serve !== undefined ? { serve: args.serve } : {}),
    ...(args.http !== undefined ? { http: { port: args.http, format: args['http-format'] } } : {}),
  };
}

/** The event as bytes, checked to be JSON; nothing given (a terminal on stdin) is `{}`. */
export async function readEvent(args: InvokeLocalFlags, ctx: CommandContext): Promise<Buffer> {
  const { event, source } = await eventBytes(args, ctx);
  if (event.toString().trim() === '') return Buffer.from('{}');
  try {
    JSON.parse(event.toString());
  } catch (error) {
    throw new UserError(`the event from ${source} is not valid JSON: ${(error as Error).message}`, {
      hint: 'Lambda events are JSON documents, e.g. --data \'{"id":1}\'',
    });
  }
  return event;
}

async function eventBytes(args: InvokeLocalFlags, ctx: CommandContext): Promise<{ event: Buffer; source: string }> {
  if (args.data !== undefined) return { event: Buffer.from(args.data), source: '--data' };
  if (args.event !== undefined && args.event !== '-') {
    const event = await readFile(resolve(ctx.cwd, args.event)).catch((error: NodeJS.ErrnoException) => {
      throw new UserError(
        `cannot read the event file ${args.event}: ${error.code === 'ENOENT' ? 'no such file' : error.message}`,
        { hint: 'pass --event with a JSON file, --data with inline JSON, or pipe the event on stdin' },
      );
    });
    return { event, source: args.event };
  }
  if (args.event === '-' || !(ctx.stdin as { isTTY?: boolean }).isTTY)
    return { event: await readAll(ctx.stdin), source: 'stdin' };
  return { event: Buffer.alloc(0), source: '' };
}

async function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks);
}

export async function readEnvFile(file: string | undefined, cwd: string): Promise<Record<string, string>> {
  if (file === undefined) return {};
  const text = await readFile(resolve(cwd, file), 'utf8').catch((error: Error) => {
    throw new UserError(`cannot read --env-file ${file}: ${error.message}`, { hint: 'pass a file of KEY=value lines' });
  });
  const { variables, badLines } = parseEnvFile(text);
  if (badLines.length > 0) {
    throw new UserError(
      `--env-file ${file}: line${badLines.length > 1 ? 's' : ''} ${badLines.join(', ')} ${badLines.length > 1 ? 'are' : 'is'} not KEY=value`,
      { hint: 'write one KEY=value per line; # starts a comment' },
    );
  }
  return variables;
}
