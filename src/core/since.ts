// `--since`: a duration before now (30s, 10m, 2h, 1d) or an ISO date, as epoch milliseconds.
const UNITS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `10m`, `2h`, `30s`, `1d` before `now`, or an ISO date; undefined for anything else. */
export function parseSince(value: string, now = Date.now()): number | undefined {
  const relative = /^(\d+)([smhd])$/.exec(value.trim());
  if (relative) return now - Number(relative[1]) * UNITS[relative[2]!]!;
  if (!/^\d{4}-\d{2}-\d{2}/.test(value.trim())) return undefined;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : at;
}
