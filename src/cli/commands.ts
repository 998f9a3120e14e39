// The list of commands tslambda offers, in the order --help shows them; only commands that work are registered here.
import type { CommandDefinition } from '../commands/types.js';
import { initCommand } from '../commands/init.js';
import { buildCommand } from '../commands/build.js';
import { bundleCommand } from '../commands/bundle.js';
import { devCommand, invokeLocalCommand } from '../commands/invoke-local.js';
import { pushCommand } from '../commands/push.js';
import { deployCommand } from '../commands/deploy.js';
import { logsCommand } from '../commands/logs.js';
import { rollbackCommand } from '../commands/rollback.js';

export const commands: CommandDefinition[] = [initCommand, buildCommand, bundleCommand, invokeLocalCommand, devCommand, pushCommand, deployCommand, logsCommand, rollbackCommand];
