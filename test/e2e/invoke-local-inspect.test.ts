// invoke-local --inspect-brk end to end, driven as a debugger drives it: the Chrome DevTools Protocol over a
// WebSocket, a breakpoint set on a line of the .ts handler (through the bundle's source map, as VS Code binds it),
// hit with the event in scope, held paused past the function's timeout; in the image and on the host.

import { afterAll, describe, expect, it } from 'vitest';
import type Docker from 'dockerode';
import { freePort } from '../support/net.js';
import { runCli } from '../support/run-cli.js';
import { makeProject } from '../support/temp-project.js';
import { BASE_IMAGE, dockerForTests } from '../support/docker.js';
import { runsWhen } from '../support/skips.js';
import { CdpSession, generatedPosition, inspectorUrl } from '../support/inspector.js';

const { docker, reason } = await dockerForTests();
const functionName = `il-inspect-${process.pid}`;

const HANDLER = [
  'interface Order { id: number; items: string[] }',
  '',
  'export const handler = async (event: Order) => {',
  '  const count = event.items.length;', // line 4: the breakpoint
  '  return { id: event.id, count };',
  '};',
  '',
].join('\n');
const BREAKPOINT_LINE = 4;
const EVENT = { id: 7, items: ['tea', 'cake'] };

const project = () =>
  makeProject({
    'lambda.config.json': JSON.stringify({
      functionName,
      handler: 'src/order.handler',
      baseImage: BASE_IMAGE,
      // Shorter than the time the test holds the function paused: the timeout must not fire.
      timeout: 1,
      memorySize: 128,
    }),
    'src/order.ts': HANDLER,
  });

/** Attaches, binds the .ts breakpoint, lets the runtime go, and checks what the paused frame sees. */
async function debugOneInvocation(port: number): Promise<{ scope: string[]; event: unknown; url: string }> {
  const session = await CdpSession.connect(await inspectorUrl('127.0.0.1', port, 150_000));
  try {
    await session.send('Debugger.enable');
    await session.send('Runtime.runIfWaitingForDebugger');
    // --inspect-brk: paused on the runtime's first line, before the handler loads.
    const start = await session.waitFor('Debugger.paused');
    const frame = (start.params.callFrames as Array<{ callFrameId: string }>)[0]!.callFrameId;
    const read = await session.send('Debugger.evaluateOnCallFrame', {
      callFrameId: frame,
      expression: `require('node:fs').readFileSync(require('node:path').join(process.env.LAMBDA_TASK_ROOT || process.cwd(), 'src/order.mjs.map'), 'utf8')`,
    });
    const map = JSON.parse(read.result.value as string) as { sources: string[]; mappings: string };
    const position = generatedPosition(map, 'order.ts', BREAKPOINT_LINE);
    expect(position).toBeDefined();
    const breakpoint = await session.send('Debugger.setBreakpointByUrl', {
      urlRegex: 'src/order\\.mjs$',
      lineNumber: position!.line,
      columnNumber: position!.column,
    });
    await session.send('Debugger.resume');

    const hit = await session.waitFor('Debugger.paused', (event) =>
      ((event.params.hitBreakpoints as string[] | undefined) ?? []).includes(breakpoint.breakpointId),
    );
    const top = (
      hit.params.callFrames as Array<{
        callFrameId: string;
        location: { scriptId: string };
        scopeChain: Array<{ type: string; object: { objectId: string } }>;
      }>
    )[0]!;
    const local = top.scopeChain.find((scope) => scope.type === 'local')!;
    const properties = await session.send('Runtime.getProperties', { objectId: local.object.objectId });
    const event = await session.send('Debugger.evaluateOnCallFrame', {
      callFrameId: top.callFrameId,
      expression: 'JSON.stringify(event)',
    });
    // Held paused past the function's 1 s timeout.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    await session.send('Debugger.resume');
    return {
      scope: (properties.result as Array<{ name: string }>).map((property) => property.name),
      event: JSON.parse(event.result.value as string),
      url: String(
        session.events.find(
          (event) => event.method === 'Debugger.scriptParsed' && event.params.scriptId === top.location.scriptId,
        )?.params.url,
      ),
    };
  } finally {
    session.close();
  }
}

async function runDebugged(args: string[]) {
  const dir = await project();
  const port = await freePort();
  const cli = runCli([
    'invoke-local',
    '--cwd',
    dir,
    `--inspect-brk=127.0.0.1:${port}`,
    '--data',
    JSON.stringify(EVENT),
    ...args,
  ]);
  const seen = await debugOneInvocation(port);
  return { seen, result: await cli, dir, port };
}

function expectDebugged({ seen, result, dir, port }: Awaited<ReturnType<typeof runDebugged>>, remoteRoot?: string) {
  expect(seen.url).toMatch(/src\/order\.mjs$/);
  expect(seen.scope).toContain('event');
  expect(seen.event).toEqual(EVENT);
  expect(result.exitCode).toBe(0);
  expect(result.stdout).toBe('{"id":7,"count":2}');
  expect(result.stderr).toContain(`Debugger: Node's inspector listens on 127.0.0.1:${port}`);
  expect(result.stderr).toContain("The function's timeout (1s) is off while the inspector runs");
  expect(result.stderr).toContain(`"localRoot": "${dir}"`);
  if (remoteRoot) expect(result.stderr).toContain(`"remoteRoot": "${remoteRoot}"`);
}

describe('invoke-local --inspect-brk on the host', () => {
  it('stops at a breakpoint on a .ts line with the event in scope, and does not time out while paused', async () => {
    expectDebugged(await runDebugged(['--no-docker']));
  }, 60_000);

  it('refuses --inspect with --concurrency, as one inspector port serves one environment', async () => {
    const dir = await project();
    const result = await runCli([
      'invoke-local',
      '--cwd',
      dir,
      '--no-docker',
      '--serve',
      '0',
      '--concurrency',
      '2',
      '--inspect',
    ]);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('--inspect runs one environment: it cannot be given with --concurrency');
  });
});

describe('invoke-local --inspect-brk in a container', runsWhen('e2e invoke-local --inspect', reason), () => {
  afterAll(async () => {
    await docker!
      .getImage(`${functionName}:latest`)
      .remove({ force: true })
      .catch(() => undefined);
  });

  it('stops at a breakpoint on a .ts line with the event in scope, maps /var/task, and removes the container', async () => {
    expectDebugged(await runDebugged([]), '/var/task');
    expect(await leftover(docker!)).toBe(0);
  }, 180_000);
});

async function leftover(engine: Docker): Promise<number> {
  // Other suites' containers may run meanwhile: only this function's count.
  const filters = { label: ['dev.tslambda.invoke-local'], ancestor: [`${functionName}:latest`] };
  return (await engine.listContainers({ all: true, filters })).length;
}
