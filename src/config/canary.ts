// The values of `deploy --canary`: a traffic weight, a bake duration and an error-rate threshold, parsed once
// and checked by the option table with the same parsers the pipeline uses.
import { problem, type Check } from './checks.js';

const DURATION_UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** `10%` or `0.1` → 0.1; a canary shifts some traffic, never none or all of it. */
export function parseWeight(value: string): number | undefined {
  const match = /^(\d+(?:\.\d+)?)(%?)$/.exec(value.trim());
  if (!match) return undefined;
  const weight = match[2] ? Number(match[1]) / 100 : Number(match[1]);
  return weight > 0 && weight < 1 ? weight : undefined;
}

/** `5m`, `90s`, `1h`, `500ms`, or a bare number of seconds → milliseconds. */
export function parseDurationMs(value: string): number | undefined {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(value.trim());
  if (!match) return undefined;
  const ms = Number(match[1]) * DURATION_UNITS[match[2] ?? 's']!;
  return ms > 0 ? ms : undefined;
}

/** `2%` or `0.02` → 0.02; 0 means any error fails the canary. */
export function parseErrorRate(value: string): number | undefined {
  const match = /^(\d+(?:\.\d+)?)(%?)$/.exec(value.trim());
  if (!match) return undefined;
  const rate = match[2] ? Number(match[1]) / 100 : Number(match[1]);
  return rate >= 0 && rate < 1 ? rate : undefined;
}

const checkWith =
  (parse: (value: string) => number | undefined, allowed: string): Check =>
  (value, path) =>
    typeof value === 'string' && parse(value) !== undefined ? [] : problem(path, allowed, value);

export const canaryWeight = checkWith(parseWeight, 'a share of traffic above 0 and below 100%, such as 10%');
export const bakeDuration = checkWith(parseDurationMs, 'a duration such as 5m, 90s or 1h');
export const errorRate = checkWith(parseErrorRate, 'an error rate from 0 to below 100%, such as 1% or 0.01');

/** Defaults of the bake when only --canary is given. */
export const DEFAULT_BAKE = '5m';
