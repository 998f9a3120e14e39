// The options every command accepts, declared once.
import type { Argv } from 'yargs';
import type { GlobalArgs } from '../commands/types.js';

export function withGlobalOptions(yargs: Argv): Argv<GlobalArgs> {
  return yargs
    .option('config', { type: 'string', describe: 'Config file to use instead of searching for lambda.config.json', global: true, requiresArg: true })
    .option('cwd', { type: 'string', describe: 'Folder to run in (config search starts here)', global: true, requiresArg: true })
    .option('region', { type: 'string', describe: 'AWS region (overrides AWS_REGION and the config file)', global: true, requiresArg: true })
    .option('profile', { type: 'string', describe: 'AWS shared-config profile (overrides AWS_PROFILE and the config file)', global: true, requiresArg: true })
    .option('json', { type: 'boolean', default: false, describe: 'Print only a JSON result on stdout', global: true })
    .option('verbose', { type: 'boolean', default: false, describe: 'Show every daemon line, debug output and stacks of unexpected errors', global: true })
    .option('quiet', { type: 'boolean', default: false, describe: 'Print nothing but errors and the result', global: true })
    .option('color', { type: 'boolean', describe: 'Colour output (--no-color or NO_COLOR=1 to turn off)', global: true })
    .group(['config', 'cwd', 'region', 'profile', 'json', 'verbose', 'quiet', 'color', 'help', 'version'], 'Global options:') as unknown as Argv<GlobalArgs>;
}
