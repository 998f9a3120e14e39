// The list of commands tslambda offers; only commands that work are registered here.
import type { CommandDefinition } from '../commands/types.js';
import { buildCommand } from '../commands/build.js';

export const commands: CommandDefinition[] = [buildCommand];
