// `tslambda init [dir]`: scaffolds a TypeScript function that builds, invokes and deploys with tslambda.
import { mkdir } from 'node:fs/promises';
import { relative, resolve } from 'node:path';
import { ExitCode, UserError } from '../core/errors.js';
import { packageVersion } from '../core/version.js';
import { settleAnswers, terminalAsk } from '../init/answers.js';
import { runningPackageRoot, tslambdaDependency } from '../init/dependency.js';
import { scaffold } from '../init/scaffold.js';
import { addFunction } from '../init/add-function.js';
import { defineCommand, type CommandContext } from './types.js';

async function addToProject(ctx: CommandContext, dir: string, name: string, force: boolean): Promise<void> {
  const added = await addFunction(dir, name, { force });
  const where = relative(ctx.cwd, added.configFile) || added.configFile;
  ctx.out.result(
    [
      `Added function ${name} to ${where}`,
      ...(added.converted ? [`  ${added.converted} is now the first entry of "functions"`] : []),
      `  handler   ${added.handler}`,
      ...added.created.map((path) => `  created   ${path}`),
      '',
      'Next:',
      `  tslambda invoke-local ${name}`,
      `  tslambda deploy ${name} (or --all)`,
    ].join('\n'),
    {
      ok: true,
      function: name,
      handler: added.handler,
      configFile: added.configFile,
      created: added.created,
      converted: added.converted ?? null,
    },
  );
}

export const initCommand = defineCommand('init', {
  async handler(args, ctx) {
    if (args.program) return (await import('./init-program.js')).printProgramDockerfile(args, ctx);
    const dir = resolve(ctx.cwd, args.dir);
    if (args.function !== undefined) return addToProject(ctx, dir, args.function, args.force);
    // Questions only on a terminal and never with --json: scripts and CI get flags and defaults.
    const terminal = (ctx.stdin as { isTTY?: boolean }).isTTY === true && !args.json && !args.quiet;
    const prompt = terminal ? terminalAsk(ctx.stdin, ctx.out.stderr, ctx.signal) : undefined;
    let answers;
    try {
      answers = await settleAnswers({
        dir,
        flags: { name: args.name, region: args.region, architecture: args.architecture, baseImage: args['base-image'] },
        env: ctx.env,
        tslambdaVersion: packageVersion,
        ask: prompt?.ask,
      });
    } finally {
      prompt?.close();
    }
    answers.tslambdaDependency = tslambdaDependency(packageVersion, runningPackageRoot());
    // Stopped before the first file: nothing is written (once writing starts, the few small files are finished).
    if (ctx.signal.aborted) throw new UserError('interrupted; init wrote nothing', { exitCode: ExitCode.interrupted });
    await mkdir(dir, { recursive: true }).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'EEXIST' && error.code !== 'ENOTDIR') throw error;
      throw new UserError(`cannot create the function in ${args.dir}: it is a file, not a folder`, {
        exitCode: ExitCode.usage,
        hint: 'pass a folder to init (it is made if missing)',
      });
    });
    const result = await scaffold({ dir, answers, dockerfile: args.dockerfile, force: args.force });

    const where = relative(ctx.cwd, dir) || '.';
    const cd = where === '.' ? '' : `cd ${where.includes(' ') ? JSON.stringify(where) : where} && `;
    const next = [`${cd}npm install`, 'npm run invoke'];
    const lines = [`Created function ${answers.functionName} in ${where}`];
    for (const path of result.created) lines.push(`  created      ${path}`);
    for (const path of result.overwritten) lines.push(`  overwritten  ${path}`);
    if (result.updatedPackageJson) {
      const added = [
        ...result.updatedPackageJson.scripts.map((s) => `script ${s}`),
        ...result.updatedPackageJson.devDependencies,
      ];
      lines.push(`  updated      package.json${added.length ? ` (added ${added.join(', ')})` : ' (nothing to add)'}`);
    }
    lines.push('', 'Next:', ...next.map((command) => `  ${command}`));
    ctx.out.result(lines.join('\n'), {
      ok: true,
      dir,
      functionName: answers.functionName,
      region: answers.region ?? null,
      architecture: answers.architecture,
      created: result.created,
      overwritten: result.overwritten,
      updatedPackageJson: result.updatedPackageJson ?? null,
      next,
    });
  },
});
