// Help text, written from the option table and the command list alone: `--help` loads no command.
import { flagKind, flagsOf, optionEntries, type CommandName, type OptionSpec } from '../config/options.js';
import { commandNames, commandSpecs, isCommandName } from './commands.js';

const SCRIPT = 'tslambda';
export const EPILOGUE =
  'Docs: README.md · exit codes: 0 ok, 2 usage/config, 3 Docker unreachable, 4 build failed (full table in the README)';

type Flag = NonNullable<OptionSpec['flag']>;
interface Row {
  left: string;
  right: string;
}

const table = (rows: Row[]): string[] => {
  const width = Math.max(...rows.map((row) => row.left.length));
  return rows.map((row) => `  ${row.left.padEnd(width)}  ${row.right}`.trimEnd());
};

function flagRow(spec: OptionSpec & { flag: Flag }): Row {
  const { flag } = spec;
  // A boolean that is on by default is turned off with --no-NAME, and that is what the user types.
  const name = spec.kind === 'boolean' && flag.default === true ? `no-${flag.name}` : flag.name;
  const value = spec.choices
    ? `[choices: ${spec.choices.map((c) => `"${c}"`).join(', ')}]`
    : `[${flagKind(spec) === 'strings' ? 'array' : spec.kind}]`;
  const fallback =
    flag.default !== undefined && flag.default !== false && flag.default !== true
      ? ` [default: ${JSON.stringify(flag.default)}]`
      : '';
  return {
    left: flag.positional ? name : `${flag.short ? `-${flag.short}, ` : ''}--${name}`,
    right: `${flag.describe}  ${value}${fallback}`,
  };
}

function sections(command: CommandName | undefined): string[] {
  const flags = command
    ? flagsOf(command)
    : optionEntries.flatMap(([id, spec]) =>
        spec.flag?.commands === 'all' ? [[id, { ...spec, flag: spec.flag }] as const] : [],
      );
  const groups = new Map<string, Row[]>();
  for (const [, spec] of flags) {
    const group = spec.flag.positional ? 'Positionals:' : (spec.flag.group ?? 'Options:');
    groups.set(group, [...(groups.get(group) ?? []), flagRow(spec)]);
  }
  const global = groups.get('Global options:') ?? [];
  global.push(
    { left: '--help, -h', right: 'Show help  [boolean]' },
    { left: '--version', right: 'Show version number  [boolean]' },
  );
  groups.delete('Global options:');
  groups.set('Global options:', global);
  return [...groups].flatMap(([title, rows]) => ['', title, ...table(rows)]);
}

/**
 * The help argv asks for (--help or -h before any `--`, for the first word when it names a command), or undefined.
 * runCli answers with it, and so does bin/tslambda.js from its own small bundle (scripts/build-cli.mjs).
 */
export function helpRequested(argv: string[]): string | undefined {
  const flags = argv.slice(0, argv.includes('--') ? argv.indexOf('--') : argv.length);
  if (!flags.includes('--help') && !flags.includes('-h')) return undefined;
  const first = flags.find((a) => !a.startsWith('-'));
  return renderHelp(isCommandName(first) ? first : undefined);
}

/** `tslambda --help`, or `tslambda <command> --help` when a command is named. */
export function renderHelp(command: CommandName | undefined): string {
  if (!command) {
    const rows = commandNames.map((name) => {
      const spec = commandSpecs[name];
      return { left: `${SCRIPT} ${name}${spec.usage ? ` ${spec.usage}` : ''}`, right: spec.describe };
    });
    return [
      `${SCRIPT} <command> [options]`,
      '',
      'Ship a program to AWS Lambda as a container image.',
      '',
      'Commands:',
      ...table(rows),
      ...sections(undefined),
      '',
      EPILOGUE,
    ].join('\n');
  }
  const spec = commandSpecs[command];
  const examples = spec.examples.map(([cmd, what]) => ({ left: cmd.replace('$0', SCRIPT), right: what }));
  return [
    `${SCRIPT} ${command}${spec.usage ? ` ${spec.usage}` : ''}`,
    '',
    spec.describe,
    ...sections(command),
    '',
    'Examples:',
    ...table(examples),
    '',
    EPILOGUE,
  ].join('\n');
}
