// Runs one corpus case through one client against a fresh Runtime API test server and reduces what reached the
// server to comparable observations: a response body, an invocation error or an init error (type and message),
// or the process ending without reporting anything.
import { RuntimeApiServer, type Outcome, type Received } from '../../runtime/support/runtime-api-server.js';
import type { Case } from './corpus.js';
import { startClient, type Client } from './clients.js';

export type Observation =
  | { kind: 'response'; body: unknown }
  | { kind: 'error' | 'init'; errorType: unknown; errorMessage: unknown }
  | { kind: 'exit'; code: number | null }
  | { kind: 'timeout' }
  /** tslambda refused the case before running it (a build or config error), with its one line. */
  | { kind: 'refused'; message: string };

const WAIT_MS = 15_000;

export async function observe(client: Client, testCase: Case, taskRoot: string): Promise<Observation[]> {
  const server = await RuntimeApiServer.start();
  let proc;
  try {
    proc = await startClient(client, server.address, taskRoot, testCase.handler);
  } catch (error) {
    await server.close();
    throw error;
  }
  const exited = proc.exited.then((exit) => ({ kind: 'exit' as const, code: exit.code }));
  const observations: Observation[] = [];
  try {
    const ready = await race<
      [{ kind: 'ready' }, { kind: 'init'; received: Received }, { kind: 'exit'; code: number | null }]
    >([
      server.whenWaitingForNext().then(() => ({ kind: 'ready' as const })),
      server.whenInitError().then((received) => ({ kind: 'init' as const, received })),
      exited,
    ]);
    if (ready.kind === 'init') return [errorObservation('init', ready.received, testCase, taskRoot)];
    if (ready.kind !== 'ready') return [ready];
    for (const event of testCase.events ?? [{}]) {
      const outcome = await race<[Outcome, { kind: 'exit'; code: number | null }]>([server.invoke(event), exited]);
      if (outcome.kind === 'exit' || outcome.kind === 'timeout') {
        observations.push(outcome);
        break;
      }
      observations.push(
        outcome.kind === 'response'
          ? { kind: 'response', body: parse(outcome.body.toString('utf8')) }
          : errorObservation('error', outcome, testCase, taskRoot),
      );
    }
    return observations;
  } finally {
    await proc.stop();
    await server.close();
  }
}

function errorObservation(kind: 'error' | 'init', received: Received, testCase: Case, taskRoot: string): Observation {
  const body = parse(received.body.toString('utf8')) as { errorType?: unknown; errorMessage?: unknown } | null;
  return { kind, errorType: body?.errorType, errorMessage: comparableMessage(body?.errorMessage, testCase, taskRoot) };
}

/**
 * An error message as the clients can agree on it: the task root written `<task root>`, the module that made a
 * failed import (each runtime's own loader, which Node names) written `<runtime>`, and with `compare: "firstLine"`
 * only the first line (the rest is a require stack naming each runtime's own files).
 */
export function comparableMessage(message: unknown, testCase: Case, taskRoot: string): unknown {
  if (typeof message !== 'string') return message;
  const normalised = message
    .split(taskRoot.replace(/\/$/, ''))
    .join('<task root>')
    .replace(/ imported from \/\S+/g, ' imported from <runtime>');
  return testCase.compare === 'firstLine' ? normalised.split('\n')[0] : normalised;
}

function parse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return { unparsable: text };
  }
}

async function race<T extends unknown[]>(
  promises: { [K in keyof T]: Promise<T[K]> },
): Promise<T[number] | { kind: 'timeout' }> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<{ kind: 'timeout' }>(
    (resolve) => (timer = setTimeout(() => resolve({ kind: 'timeout' }), WAIT_MS)),
  );
  try {
    return await Promise.race<T[number] | { kind: 'timeout' }>([...(promises as Array<Promise<T[number]>>), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
