// Decides what a build sends: the user's Dockerfile and context, or the context with a generated Dockerfile.
import { access } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { UserError } from '../cli/errors.js';
import type { ResolvedConfig } from '../config/types.js';
import type { ContextFile, ContextPlan } from './context.js';
import { GENERATED_APP_DIR, GENERATED_DOCKERFILE_PATH, generateDockerfile } from './dockerfile.js';
import { runtimeContextFiles } from './runtime-asset.js';
import { generateProgramDockerfile } from './program-dockerfile.js';
import { packageVersion } from '../cli/version.js';
import { imageLabels } from './labels.js';

export interface BuildSource {
  kind: 'user-dockerfile' | 'generated-dockerfile';
  context: ContextPlan;
  /** The Dockerfile's path inside the tar, as the daemon's `dockerfile` parameter wants it. */
  dockerfile: string;
  /** Shown to the user: which Dockerfile was used. */
  describe: string;
}

const exists = (path: string) => access(path).then(() => true, () => false);

const LOCKFILES = ['package-lock.json', 'npm-shrinkwrap.json'] as const;

export async function resolveBuildSource(config: ResolvedConfig): Promise<BuildSource> {
  const runtime = await runtimeContextFiles();
  const userDockerfile = config.dockerfile ?? ((await exists(join(config.context, 'Dockerfile'))) ? join(config.context, 'Dockerfile') : undefined);

  if (userDockerfile) {
    const { readFile } = await import('node:fs/promises');
    const content = await readFile(userDockerfile).catch(() => {
      throw new UserError(`dockerfile not found: ${userDockerfile}`, {
        hint: 'fix "dockerfile" in the config (relative to the config file), or remove it to let tslambda generate one',
      });
    });
    const inside = relative(config.context, userDockerfile);
    const isInsideContext = !inside.startsWith('..') && !inside.startsWith(sep) && inside !== '';
    // A Dockerfile outside the context travels in the tar under tslambda's folder, as the docker CLI does.
    const extraFiles: ContextFile[] = isInsideContext ? runtime : [...runtime, { path: GENERATED_DOCKERFILE_PATH, content }];
    const dockerfile = isInsideContext ? inside.split(sep).join('/') : GENERATED_DOCKERFILE_PATH;
    return {
      kind: 'user-dockerfile',
      context: { directory: config.context, dockerfilePath: isInsideContext ? dockerfile : undefined, extraFiles },
      dockerfile,
      describe: relative(config.configDir, userDockerfile) || userDockerfile,
    };
  }

  let lockfile: (typeof LOCKFILES)[number] | undefined;
  for (const name of LOCKFILES) if (!lockfile && (await exists(join(config.context, name)))) lockfile = name;
  const common = { baseImage: config.baseImage, appDir: GENERATED_APP_DIR, tslambdaVersion: packageVersion, labels: imageLabels(config) };
  // A program in any language: no npm step, its own entrypoint (see program-dockerfile.ts).
  const dockerfile = config.program ? generateProgramDockerfile({ ...common, program: config.program }) : generateDockerfile({
    baseImage: config.baseImage,
    handler: config.handler,
    lockfile,
    appDir: GENERATED_APP_DIR,
    tslambdaVersion: packageVersion,
    labels: imageLabels(config),
  });
  return {
    kind: 'generated-dockerfile',
    context: {
      directory: config.context,
      directoryPrefix: GENERATED_APP_DIR,
      extraFiles: [...runtime, { path: GENERATED_DOCKERFILE_PATH, content: dockerfile }],
    },
    dockerfile: GENERATED_DOCKERFILE_PATH,
    describe: `generated (FROM ${config.baseImage})`,
  };
}
