// Parses argv with yargs, whose flags are written from the option table; loaded only when a command runs (not for --help).
import { createRequire } from 'node:module';
import type { Argv, Options as YargsOption } from 'yargs';
import { flagKind, flagsOf, optionEntries, type CommandName, type OptionSpec } from '../config/options.js';
import { commandNames, commandSpecs } from './commands.js';
import { UserError } from './errors.js';
import { EPILOGUE } from './help.js';
import { packageVersion } from './version.js';

export interface Parsed {
  command?: CommandName;
  args?: Record<string, unknown>;
  /** Text yargs produced instead of running a command (--version after a command). */
  output?: string;
  error?: Error;
}

// yargs' CommonJS build loads in half the time of its ES module wrapper; start-up is paid by every command.
const yargs: (args?: string[]) => Argv = createRequire(import.meta.url)('yargs/yargs');

function yargsOption(spec: OptionSpec & { flag: NonNullable<OptionSpec['flag']> }): YargsOption {
  const { flag } = spec;
  const bare = flag.valueWhenBare;
  const kind = flagKind(spec);
  return {
    describe: flag.describe,
    ...(spec.choices ? { choices: spec.choices } : { type: kind === 'strings' || kind === 'map' ? 'string' : kind }),
    ...(kind === 'strings' ? { array: true } : {}),
    ...(flag.default !== undefined ? { default: flag.default } : {}),
    ...(kind === 'string' || kind === 'strings' ? { requiresArg: true } : {}),
    ...(flag.commands === 'all' ? { global: true } : {}),
    ...(flag.conflicts ? { conflicts: flag.conflicts } : {}),
    ...(bare !== undefined ? { coerce: (value: unknown) => (value === '' || value === true || value === undefined ? bare : Number(value)) } : {}),
  };
}

function addFlags(y: Argv, command: CommandName): void {
  for (const [, spec] of flagsOf(command)) {
    if (spec.flag.commands === 'all') continue;
    if (spec.flag.positional) y.positional(spec.flag.name, { type: 'string', default: spec.flag.default, describe: spec.flag.describe });
    else y.option(spec.flag.name, yargsOption(spec));
  }
}

export function parse(argv: string[]): Parsed {
  const parsed: Parsed = {};
  const cli = yargs()
    .scriptName('tslambda')
    .strict()
    .recommendCommands()
    .demandCommand(1, 'name a command, e.g. `tslambda build`; see `tslambda --help`')
    .version(packageVersion)
    .help()
    .alias('help', 'h')
    .epilogue(EPILOGUE)
    .exitProcess(false)
    .fail((message, error) => {
      parsed.error = error ?? new UserError(message ?? 'invalid arguments');
    });
  for (const [, spec] of optionEntries) if (spec.flag?.commands === 'all') cli.option(spec.flag.name, yargsOption({ ...spec, flag: spec.flag }));
  for (const name of commandNames) {
    const spec = commandSpecs[name];
    cli.command(
      spec.usage ? `${name} ${spec.usage}` : name,
      spec.describe,
      (y) => addFlags(y, name),
      (args) => {
        parsed.command = name;
        parsed.args = args;
      },
    );
  }
  cli.parse(argv, {}, (error, _args, output) => {
    if (error && !parsed.error) parsed.error = error;
    if (output) parsed.output = output;
  });
  return parsed;
}
