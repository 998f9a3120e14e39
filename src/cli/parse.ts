// Reads argv against the option table: the command, its flags with their defaults, and every problem at once.
// Written here rather than with a parser library because the table already knows each flag; it costs nothing to load.
import type { ConfigProblem } from '../config/checks.js';
import { flagKind, flagsOf, type CommandName, type OptionSpec } from '../config/options.js';
import { suggestKey } from '../core/suggest.js';
import { isCommandName } from './commands.js';

type Flag = OptionSpec & { flag: NonNullable<OptionSpec['flag']> };

export type Parsed =
  /** `unknown`: words that are no flag of the command; `problems`: flags given wrong (no value, not a choice…). */
  | {
      kind: 'command';
      command: CommandName;
      args: Record<string, unknown>;
      unknown: string[];
      problems: ConfigProblem[];
    }
  | { kind: 'version' }
  | { kind: 'error'; message: string };

const takesValue = (spec: Flag) => flagKind(spec) !== 'boolean';
// A value may not look like a flag, except a negative number.
const isValue = (arg: string | undefined): arg is string =>
  arg !== undefined && (!arg.startsWith('-') || /^-\d/.test(arg));

export function parse(argv: string[]): Parsed {
  const end = argv.indexOf('--');
  const words = end === -1 ? argv : argv.slice(0, end);
  const first = words.findIndex((arg) => !arg.startsWith('-'));
  const name = first === -1 ? undefined : words[first];
  if (words.includes('--version')) return { kind: 'version' };
  if (name === undefined)
    return { kind: 'error', message: 'name a command, e.g. `tslambda build`; see `tslambda --help`' };
  if (!isCommandName(name)) return { kind: 'error', message: `Unknown argument: ${name}` };
  return readFlags(name, [...words.slice(0, first), ...words.slice(first + 1)], end === -1 ? [] : argv.slice(end + 1));
}

function readFlags(command: CommandName, words: string[], afterDashes: string[]): Parsed {
  const flags = flagsOf(command).map(([, spec]) => spec);
  const byName = new Map(
    flags.flatMap((spec) => [
      [spec.flag.name, spec] as const,
      ...(spec.flag.short ? [[spec.flag.short, spec] as const] : []),
    ]),
  );
  const positionals = flags.filter((spec) => spec.flag.positional);
  const args: Record<string, unknown> = {};
  const unknown: string[] = [];
  const problems: ConfigProblem[] = [];
  const extra = [...afterDashes];
  for (let i = 0; i < words.length; i++) {
    const word = words[i]!;
    if (!word.startsWith('-')) {
      extra.unshift(word);
      continue;
    }
    const [rawName, inline] = splitInline(word.replace(/^--?/, ''));
    const negated =
      rawName.startsWith('no-') && byName.get(rawName.slice(3))?.kind === 'boolean'
        ? byName.get(rawName.slice(3))
        : undefined;
    const spec = negated ?? byName.get(rawName);
    if (!spec) {
      unknown.push(rawName);
      continue;
    }
    if (!takesValue(spec)) {
      // A switch: alone, or =true / =false; any other value was meant for something else.
      if (inline !== undefined && !['true', 'false'].includes(inline))
        problems.push({
          path: `--${rawName}`,
          message: `is a switch and takes no value, found ${JSON.stringify(inline)}; write --${rawName} alone or --${rawName}=false`,
        });
      else args[spec.flag.name] = negated ? inline === 'false' : inline !== 'false';
      continue;
    }
    const values: string[] = inline !== undefined ? [inline] : [];
    // A repeatable flag takes every value that follows it, as `--build-arg A=1 B=2`.
    while (isValue(words[i + 1]) && (values.length === 0 || flagKind(spec) === 'strings')) values.push(words[++i]!);
    if (values.length === 0 && spec.flag.valueWhenBare !== undefined) args[spec.flag.name] = spec.flag.valueWhenBare;
    else if (values.length === 0) problems.push({ path: `--${spec.flag.name}`, message: 'needs a value' });
    else args[spec.flag.name] = flagValue(spec, values, args[spec.flag.name], problems);
  }
  // Positionals fill in order; any left over are refused like a mistyped flag.
  // A repeatable positional ([names…]) takes all that are left.
  for (const spec of positionals)
    if (extra.length > 0) args[spec.flag.name] = flagKind(spec) === 'strings' ? extra.splice(0) : extra.shift();
  unknown.push(...extra);
  for (const spec of flags) {
    if (args[spec.flag.name] === undefined && spec.flag.default !== undefined) args[spec.flag.name] = spec.flag.default;
    const conflict = spec.flag.conflicts;
    if (conflict && args[spec.flag.name] !== undefined && args[conflict] !== undefined)
      problems.push({ path: `--${spec.flag.name}`, message: `cannot be given with --${conflict}; pass one of them` });
  }
  return { kind: 'command', command, args, unknown, problems };
}

function splitInline(word: string): [name: string, inline: string | undefined] {
  const at = word.indexOf('=');
  return at === -1 ? [word, undefined] : [word.slice(0, at), word.slice(at + 1)];
}

function flagValue(spec: Flag, values: string[], previous: unknown, problems: ConfigProblem[]): unknown {
  const last = values[values.length - 1]!;
  switch (flagKind(spec)) {
    case 'strings':
      return [...(Array.isArray(previous) ? previous : []), ...values];
    case 'number':
      return Number(last);
    default:
      if (spec.choices && !spec.choices.includes(last))
        problems.push({
          path: `--${spec.flag.name}`,
          message: `expected one of ${spec.choices.map((c) => JSON.stringify(c)).join(', ')}, found ${JSON.stringify(last)}`,
        });
      return last;
  }
}

/** An unknown word as a problem among others, with the closest flag of the command. */
export function unknownFlag(command: CommandName, name: string): ConfigProblem {
  const suggestion = suggestKey(
    name,
    flagsOf(command).map(([, spec]) => spec.flag.name),
  );
  return { path: name, message: suggestion ? `unknown argument; did you mean --${suggestion}?` : 'unknown argument' };
}
