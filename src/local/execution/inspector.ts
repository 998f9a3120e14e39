// invoke-local --inspect / --inspect-brk: where Node's inspector listens, and the node option that starts it in
// the runtime (a container's NODE_OPTIONS, or the host process's arguments), with source maps on.

import { DEFAULT_INSPECT_ADDRESS, INSPECT_ADDRESS } from '../../config/options.js';

export interface InspectSettings {
  /** Where the debugger connects, as the user gave it (127.0.0.1 by default). */
  host: string;
  port: number;
  /** --inspect-brk: the runtime waits for the debugger before its first line. */
  brk: boolean;
}

/** Tells the runtime (bootstrap.cjs) to keep the inspector flags from its children. */
export const INSPECT_ENV = '_TSLAMBDA_INSPECT';

/** The settings of --inspect / --inspect-brk (already checked by the option table), or undefined. */
export function inspectSettings(args: { inspect?: string; 'inspect-brk'?: string }): InspectSettings | undefined {
  const value = args['inspect-brk'] ?? args.inspect;
  if (value === undefined) return undefined;
  const match = INSPECT_ADDRESS.exec(value) ?? INSPECT_ADDRESS.exec(DEFAULT_INSPECT_ADDRESS)!;
  return { host: match[1] ?? '127.0.0.1', port: Number(match[2]), brk: args['inspect-brk'] !== undefined };
}

/** `--inspect=host:port` (or -brk) for Node, listening on `bindHost`. */
export function inspectFlag(settings: InspectSettings, bindHost = settings.host): string {
  return `--inspect${settings.brk ? '-brk' : ''}=${bindHost}:${settings.port}`;
}

/** NODE_OPTIONS with the inspector and source maps added to the image's own options. */
export function inspectNodeOptions(existing: string | undefined, flag: string): string {
  const options = (existing ?? '').split(/\s+/).filter((option) => option !== '' && !option.startsWith('--inspect'));
  if (!options.includes('--enable-source-maps')) options.push('--enable-source-maps');
  return [...options, flag].join(' ');
}
