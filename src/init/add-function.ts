// `tslambda init --function NAME`: adds a function to a project's lambda.config.json (a single-function config
// becomes a project of two), and writes its handler when missing. Checks everything before writing anything, and
// replaces the config file whole (written beside it, then renamed), so an interrupted run never leaves half a file.
import { access, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { ExitCode, UserError } from '../core/errors.js';
import { validateConfig } from '../config/schema.js';
import * as templates from './templates.js';

export interface AddedFunction {
  configFile: string;
  handler: string;
  /** Paths relative to dir. */
  created: string[];
  /** The config held one function, which is now the first entry of `functions`. */
  converted?: string;
}

const FUNCTION_NAME = /^[a-zA-Z0-9_-]{1,64}$/;
const exists = (path: string) =>
  access(path).then(
    () => true,
    () => false,
  );

export async function addFunction(dir: string, name: string, options: { force: boolean }): Promise<AddedFunction> {
  if (!FUNCTION_NAME.test(name))
    throw new UserError(`--function ${JSON.stringify(name)} is not a function name`, {
      hint: 'use 1-64 letters, digits, - or _',
    });
  const configFile = join(dir, 'lambda.config.json');
  const text = await readFile(configFile, 'utf8').catch(() => {
    throw new UserError(`--function adds to a project's lambda.config.json, and ${dir} has none`, {
      hint: 'run `tslambda init` first to create the project, or add the function to your config file by hand',
    });
  });
  let config: Record<string, unknown>;
  try {
    config = JSON.parse(text) as Record<string, unknown>;
  } catch (error) {
    throw new UserError(`${configFile} is not valid JSON: ${(error as Error).message}`, {
      hint: 'fix the file, then run init --function again',
    });
  }
  const { project, converted } = asProject(config);
  const functions = project.functions as Record<string, Record<string, unknown>>;
  if (functions[name] && !options.force)
    throw new UserError(`the project already has a function named ${name}`, {
      exitCode: ExitCode.usage,
      hint: 'pick another name, or pass --force to replace its settings',
    });
  const handlerFile = `src/${name}.ts`;
  const handler = `src/${name}.handler`;
  functions[name] = { handler };
  const problems = validateConfig(project);
  if (problems.length > 0)
    throw new UserError(
      `the project would not be valid: ${problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`,
      {
        hint: `fix ${configFile} first`,
      },
    );
  const created: string[] = [];
  if (!(await exists(join(dir, handlerFile)))) {
    await mkdir(dirname(join(dir, handlerFile)), { recursive: true });
    await writeFile(join(dir, handlerFile), templates.handlerSource(), { flag: 'wx' });
    created.push(handlerFile);
  }
  const indent = /^(\s+)"/m.exec(text)?.[1] ?? '  ';
  const temporary = `${configFile}.${process.pid}.tmp`;
  await writeFile(temporary, `${JSON.stringify(project, null, indent)}\n`);
  await rename(temporary, configFile);
  return { configFile, handler, created, converted };
}

/** A single-function config becomes a project whose first function keeps its name and handler. */
function asProject(config: Record<string, unknown>): { project: Record<string, unknown>; converted?: string } {
  if (config.functions !== undefined) return { project: { ...config, functions: { ...(config.functions as object) } } };
  const { functionName, handler, ...defaults } = config;
  if (typeof functionName !== 'string') return { project: { ...config, functions: {} } };
  const first = { ...(handler !== undefined ? { handler } : {}) };
  return { project: { ...defaults, functions: { [functionName]: first } }, converted: functionName };
}
