// `tslambda init [dir]`: scaffolds a TypeScript function that builds, invokes and deploys with tslambda.
import { mkdir } from 'node:fs/promises';
import { relative, resolve } from 'node:path';
import { packageVersion } from '../cli/version.js';
import type { Architecture } from '../config/types.js';
import { settleAnswers, terminalAsk } from '../init/answers.js';
import { runningPackageRoot, tslambdaDependency } from '../init/dependency.js';
import { scaffold } from '../init/scaffold.js';
import { defineCommand } from './types.js';

interface InitArgs {
  dir: string;
  name?: string;
  architecture?: Architecture;
  'base-image'?: string;
  dockerfile: boolean;
  force: boolean;
}

export const initCommand = defineCommand<InitArgs>({
  command: 'init [dir]',
  describe: 'Create a TypeScript function: handler, lambda.config.json, tsconfig.json, package.json scripts',
  examples: [
    ['$0 init hello', 'create the function "hello" in ./hello'],
    ['$0 init --name orders --region eu-west-1 --architecture arm64', 'in this folder, asking nothing'],
    ['$0 init api --dockerfile', 'also write a Dockerfile equivalent to the one tslambda generates'],
  ],
  builder: (yargs) =>
    yargs
      .positional('dir', { type: 'string', default: '.', describe: 'Folder to create the function in (made if missing)' })
      .option('name', { type: 'string', describe: 'Function name (default: the folder name)', requiresArg: true })
      .option('architecture', { choices: ['x86_64', 'arm64'] as const, describe: 'Lambda architecture (default x86_64)' })
      .option('base-image', { type: 'string', describe: 'Base image to build on (default node:22-slim)', requiresArg: true })
      .option('dockerfile', { type: 'boolean', default: false, describe: 'Also write an explicit Dockerfile equivalent to the generated one' })
      .option('force', { type: 'boolean', default: false, describe: 'Overwrite files that already exist' }) as never,
  async handler(args, ctx) {
    const dir = resolve(ctx.cwd, args.dir);
    // Questions only on a terminal and never with --json: scripts and CI get flags and defaults.
    const terminal = (ctx.stdin as { isTTY?: boolean }).isTTY === true && !args.json && !args.quiet;
    const prompt = terminal ? terminalAsk(ctx.stdin, ctx.out.stderr) : undefined;
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
    await mkdir(dir, { recursive: true });
    const result = await scaffold({ dir, answers, dockerfile: args.dockerfile, force: args.force });

    const where = relative(ctx.cwd, dir) || '.';
    const cd = where === '.' ? '' : `cd ${where.includes(' ') ? JSON.stringify(where) : where} && `;
    const next = [`${cd}npm install`, 'npm run invoke'];
    const lines = [`Created function ${answers.functionName} in ${where}`];
    for (const path of result.created) lines.push(`  created      ${path}`);
    for (const path of result.overwritten) lines.push(`  overwritten  ${path}`);
    if (result.updatedPackageJson) {
      const added = [...result.updatedPackageJson.scripts.map((s) => `script ${s}`), ...result.updatedPackageJson.devDependencies];
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
