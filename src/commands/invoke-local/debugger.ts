// What invoke-local --inspect prints: where the inspector listens, how Chrome and VS Code attach to it (with the
// task root mapped to the project, so breakpoints set in .ts files bind through the bundle's source maps).

import type { InspectSettings } from '../../local/execution/inspector.js';

export interface DebuggerMapping {
  /** The project folder: where the .ts files are. */
  localRoot: string;
  /** The task root the runtime sees: /var/task in the image, a folder on the host with --no-docker. */
  remoteRoot: string;
  timeoutSeconds: number;
}

/** The VS Code launch configuration that attaches to the runtime. */
export function vscodeAttach(settings: InspectSettings, mapping: DebuggerMapping) {
  return {
    type: 'node',
    request: 'attach',
    name: 'tslambda invoke-local',
    address: settings.host,
    port: settings.port,
    localRoot: mapping.localRoot,
    remoteRoot: mapping.remoteRoot,
    sourceMaps: true,
    skipFiles: ['<node_internals>/**', '/opt/tslambda/**'],
  };
}

export function debuggerInstructions(settings: InspectSettings, mapping: DebuggerMapping): string {
  const address = `${settings.host}:${settings.port}`;
  const launch = JSON.stringify({ version: '0.2.0', configurations: [vscodeAttach(settings, mapping)] }, null, 2);
  return [
    `Debugger: Node's inspector listens on ${address}${settings.brk ? '; the runtime waits for it before starting' : ''}.`,
    `  The function's timeout (${mapping.timeoutSeconds}s) is off while the inspector runs: a paused function does not time out.`,
    `  Chrome: open chrome://inspect, add ${address} under "Configure…", then click "inspect".`,
    '  VS Code: .vscode/launch.json, then Run > Start Debugging:',
    ...launch.split('\n').map((line) => `    ${line}`),
    '',
  ].join('\n');
}
