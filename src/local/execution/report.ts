// The lines Lambda writes around each invocation's logs (START, END, REPORT and its own error lines).

import type { InvokeResult } from '../api/invocation.js';
import { LATEST_VERSION } from '../api/protocol.js';

export interface ReportFigures {
  durationMs: number;
  /** Present on the first invocation of an environment only. */
  initDurationMs?: number;
  /** Container images are billed for init too, rounded up to the millisecond. */
  billedDurationMs: number;
  memorySizeMb: number;
  /** Measured peak memory of the environment so far; undefined when it could not be measured. */
  maxMemoryUsedMb?: number;
}

const ms = (value: number) => `${value.toFixed(2)} ms`;

export const startLine = (requestId: string, version = LATEST_VERSION) =>
  `START RequestId: ${requestId} Version: ${version}\n`;
export const endLine = (requestId: string) => `END RequestId: ${requestId}\n`;

export function reportFigures(
  result: InvokeResult,
  memorySizeMb: number,
  peakMemoryBytes: number | undefined,
): ReportFigures {
  return {
    durationMs: result.durationMs,
    ...(result.initDurationMs !== undefined ? { initDurationMs: result.initDurationMs } : {}),
    billedDurationMs: Math.ceil(result.durationMs + (result.initDurationMs ?? 0)),
    memorySizeMb,
    ...(peakMemoryBytes !== undefined ? { maxMemoryUsedMb: Math.ceil(peakMemoryBytes / (1024 * 1024)) } : {}),
  };
}

/** Lambda's REPORT line: tab-separated fields, Init Duration only on a cold start, a Status when it failed. */
export function reportLine(result: InvokeResult, figures: ReportFigures): string {
  const fields = [
    `REPORT RequestId: ${result.requestId}`,
    `Duration: ${ms(figures.durationMs)}`,
    `Billed Duration: ${figures.billedDurationMs} ms`,
    `Memory Size: ${figures.memorySizeMb} MB`,
    `Max Memory Used: ${figures.maxMemoryUsedMb ?? '-'} MB`,
  ];
  if (figures.initDurationMs !== undefined) fields.push(`Init Duration: ${ms(figures.initDurationMs)}`);
  if (result.outcome === 'timeout') fields.push('Status: timeout');
  if (result.outcome === 'exited') fields.push('Status: error', `Error Type: ${result.errorType}`);
  return `${fields.join('\t')}\t\n`;
}

/** What Lambda logs itself when it ended the invocation (timeout, exit); nothing otherwise. */
export function platformErrorLines(result: InvokeResult, timeoutMs: number): string {
  if (result.outcome === 'timeout') {
    return `${new Date().toISOString()} ${result.requestId} Task timed out after ${(timeoutMs / 1000).toFixed(2)} seconds\n`;
  }
  if (result.outcome === 'exited') {
    const message = (JSON.parse(result.payload.toString()) as { errorMessage: string }).errorMessage;
    return `${message}\n${result.errorType}\n`;
  }
  return '';
}
