// Writes a new function's files into a folder, refusing before writing anything when that would overwrite a file.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { ExitCode, UserError } from '../core/errors.js';
import * as templates from './templates.js';
import type { InitAnswers } from './templates.js';

export interface ScaffoldOptions {
  dir: string;
  answers: InitAnswers;
  /** Also write an explicit Dockerfile equivalent to the generated one. */
  dockerfile: boolean;
  force: boolean;
}

export interface ScaffoldResult {
  /** Paths relative to dir, in the order written. */
  created: string[];
  overwritten: string[];
  /** package.json existed: these scripts and devDependencies were added to it. */
  updatedPackageJson?: { scripts: string[]; devDependencies: string[] };
}

type PackageManifest = {
  scripts?: Record<string, string>;
  devDependencies?: Record<string, string>;
  [key: string]: unknown;
};

export function scaffoldFiles(answers: InitAnswers, withDockerfile: boolean): Array<{ path: string; content: string }> {
  const files = [
    { path: 'lambda.config.json', content: templates.lambdaConfig(answers) },
    { path: 'src/handler.ts', content: templates.handlerSource() },
    { path: 'tsconfig.json', content: templates.tsconfig() },
    { path: '.dockerignore', content: templates.dockerignore() },
  ];
  if (withDockerfile) files.push({ path: 'Dockerfile', content: templates.dockerfile(answers) });
  return files;
}

async function readIfExists(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/**
 * An existing package.json is kept and only gains what is missing: our scripts (a script of the same name
 * with another command is a conflict) and devDependencies (existing versions are left alone).
 */
function mergePackageJson(
  existing: string,
  answers: InitAnswers,
  force: boolean,
): { content: string; conflicts: string[]; scripts: string[]; devDependencies: string[] } {
  let manifest: PackageManifest;
  try {
    manifest = JSON.parse(existing) as PackageManifest;
  } catch (error) {
    throw new UserError(`package.json is not valid JSON: ${(error as Error).message}`, {
      hint: 'fix package.json, then run init again',
    });
  }
  const scripts = { ...manifest.scripts };
  const devDependencies = { ...manifest.devDependencies };
  const conflicts: string[] = [];
  const addedScripts: string[] = [];
  const addedDeps: string[] = [];
  for (const [name, command] of Object.entries(templates.scripts())) {
    if (scripts[name] === command) continue;
    if (scripts[name] !== undefined && !force)
      conflicts.push(`package.json scripts.${name} (${JSON.stringify(scripts[name])})`);
    scripts[name] = command;
    addedScripts.push(name);
  }
  for (const [name, range] of Object.entries(templates.devDependencies(answers))) {
    if (
      devDependencies[name] !== undefined ||
      (manifest.dependencies as Record<string, string> | undefined)?.[name] !== undefined
    )
      continue;
    devDependencies[name] = range;
    addedDeps.push(name);
  }
  const indent = /^(\s+)"/m.exec(existing)?.[1] ?? '  ';
  const content = `${JSON.stringify({ ...manifest, scripts, devDependencies }, null, indent)}\n`;
  return { content, conflicts, scripts: addedScripts, devDependencies: addedDeps };
}

export async function scaffold(options: ScaffoldOptions): Promise<ScaffoldResult> {
  const { dir, answers, force } = options;
  const files = scaffoldFiles(answers, options.dockerfile);
  const existing = await Promise.all(
    files.map(async (file) => ({ ...file, before: await readIfExists(join(dir, file.path)) })),
  );
  const packagePath = join(dir, 'package.json');
  const packageBefore = await readIfExists(packagePath);
  const merged = packageBefore === undefined ? undefined : mergePackageJson(packageBefore, answers, force);

  // Every conflict is found before anything is written, so a refused init leaves the folder untouched.
  const conflicts = [
    ...existing.filter((file) => file.before !== undefined && file.before !== file.content).map((file) => file.path),
    ...(merged?.conflicts ?? []),
  ];
  if (conflicts.length > 0 && !force) {
    throw new UserError(
      `init would overwrite ${conflicts.length === 1 ? 'a file' : `${conflicts.length} files`} in ${dir}: ${conflicts.join(', ')}`,
      {
        exitCode: ExitCode.usage,
        hint: 'run init in an empty folder, move those files away, or pass --force to overwrite them',
        details: { conflicts },
      },
    );
  }

  const result: ScaffoldResult = { created: [], overwritten: [] };
  for (const file of existing) {
    if (file.before === file.content) continue;
    await mkdir(dirname(join(dir, file.path)), { recursive: true });
    await writeFile(join(dir, file.path), file.content);
    (file.before === undefined ? result.created : result.overwritten).push(file.path);
  }
  if (merged) {
    if (merged.content !== packageBefore) await writeFile(packagePath, merged.content);
    result.updatedPackageJson = { scripts: merged.scripts, devDependencies: merged.devDependencies };
  } else {
    await writeFile(packagePath, templates.packageJson(answers));
    result.created.push('package.json');
  }
  return result;
}
