// `tslambda init --program --dockerfile`: prints the lines a Dockerfile of the user's own needs to run the config's
// program handler under tslambda's runtime loop (the same ones the generated Dockerfile has). Writes nothing.
import { ExitCode, UserError } from '../core/errors.js';
import { packageVersion } from '../core/version.js';
import { programDockerfileSnippet } from '../image/program-dockerfile.js';
import type { ArgsOf, CommandContext } from './types.js';

export async function printProgramDockerfile(args: ArgsOf<'init'>, ctx: CommandContext): Promise<void> {
  if (!args.dockerfile)
    throw new UserError('--program needs --dockerfile: init prints the Dockerfile lines of a program handler', {
      exitCode: ExitCode.usage,
      hint: 'run `tslambda init --program --dockerfile` in a folder whose lambda.config.json has "program"',
    });
  const config = await ctx.loadConfig();
  if (!config.program)
    throw new UserError(`the configuration of ${config.functionName} has no "program"`, {
      exitCode: ExitCode.usage,
      hint: 'add "program": { "command": [...], "protocol": "stdio" | "http" | "exec" } to lambda.config.json first',
    });
  const snippet = programDockerfileSnippet(config.program, packageVersion);
  // The lines go to stdout as they are, to be appended to a Dockerfile: `tslambda init --program --dockerfile >> Dockerfile`.
  if (ctx.out.json) ctx.out.result(snippet, { ok: true, functionName: config.functionName, dockerfile: snippet });
  else ctx.out.stdout.write(snippet);
}
