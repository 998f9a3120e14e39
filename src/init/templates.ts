// The files `tslambda init` writes, as text: a typed async handler and everything needed to build, invoke and deploy it.
import type { Architecture } from '../config/types.js';
import { generateDockerfile } from '../image/dockerfile.js';
import { BUNDLE_NODE_OPTIONS } from '../bundle/bundle.js';

export interface InitAnswers {
  functionName: string;
  region?: string;
  architecture: Architecture;
  baseImage: string;
  nodeMajor: number;
  tslambdaVersion: string;
  /** What package.json names tslambda by (src/init/dependency.ts); `^<tslambdaVersion>` when absent. */
  tslambdaDependency?: string;
}

export const HANDLER_STRING = 'src/handler.handler';

export const handlerSource = () => `import type { Handler } from 'tslambda';

interface HelloEvent {
  name?: string;
}

interface HelloResult {
  message: string;
  requestId: string;
}

/** Lambda calls this for every invocation; build it with \`npm run build\`, try it with \`npm run invoke\`. */
export const handler: Handler<HelloEvent, HelloResult> = async (event, context) => {
  return {
    message: \`Hello, \${event.name ?? 'world'}!\`,
    requestId: context.awsRequestId,
  };
};
`;

const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;

export const lambdaConfig = (answers: InitAnswers) =>
  json({
    functionName: answers.functionName,
    ...(answers.region ? { region: answers.region } : {}),
    handler: HANDLER_STRING,
    architecture: answers.architecture,
    baseImage: answers.baseImage,
    memorySize: 128,
    timeout: 3,
  });

// Checked by tsc only (esbuild bundles): the bundler resolution matches how esbuild reads imports.
export const tsconfig = () =>
  json({
    compilerOptions: {
      target: 'ES2022',
      lib: ['ES2023'],
      module: 'ESNext',
      moduleResolution: 'Bundler',
      strict: true,
      noEmit: true,
      isolatedModules: true,
      verbatimModuleSyntax: true,
      skipLibCheck: true,
      types: ['node'],
    },
    include: ['src'],
  });

export const dockerignore = () =>
  [
    '# Kept out of the image build: dependencies are installed or bundled by the build itself.',
    'node_modules',
    '.git',
    'dist',
    'coverage',
    '*.log',
    '.env',
    '.env.*',
    '',
  ].join('\n');

/** The scripts init adds to package.json. */
export const scripts = (): Record<string, string> => ({
  build: 'tslambda build',
  invoke: 'tslambda invoke-local --data {}',
  deploy: 'tslambda deploy',
  typecheck: 'tsc --noEmit',
});

export const devDependencies = (answers: InitAnswers): Record<string, string> => ({
  tslambda: answers.tslambdaDependency ?? `^${answers.tslambdaVersion}`,
  typescript: '^5.9.3',
  '@types/node': `^${answers.nodeMajor}`,
});

export const packageJson = (answers: InitAnswers) =>
  json({
    name: answers.functionName.toLowerCase(),
    version: '0.1.0',
    private: true,
    type: 'module',
    scripts: scripts(),
    devDependencies: devDependencies(answers),
  });

/**
 * The Dockerfile `tslambda build` generates for a bundled handler, with the bundling done in a first
 * stage by the same code (`tslambda bundle`) instead of on the host. With this file present, build uses it
 * as written.
 */
export const dockerfile = (answers: InitAnswers) => {
  // The final stage is the generator's own output, with the app copied from the bundle stage.
  const finalStage = generateDockerfile({
    baseImage: answers.baseImage,
    handler: HANDLER_STRING,
    nodeOptions: BUNDLE_NODE_OPTIONS,
    appDir: '--from=bundle /bundle',
    tslambdaVersion: answers.tslambdaVersion,
  })
    .split('\n')
    .filter((line) => !line.startsWith('#'))
    .join('\n');
  return [
    '# Written by `tslambda init --dockerfile`: the same image `tslambda build` makes without this file.',
    '# Stage 1 bundles src/handler.ts with tslambda (esbuild); stage 2 holds only the bundle and the runtime.',
    '# Build it with `tslambda build`, which adds the runtime loop under .tslambda/runtime/ to the context.',
    `FROM ${answers.baseImage} AS bundle`,
    'WORKDIR /build',
    'COPY package.json package-lock.json* ./',
    'RUN npm install --no-audit --no-fund',
    'COPY . .',
    'RUN npx --no-install tslambda bundle --out-dir /bundle',
    '',
    finalStage,
  ].join('\n');
};
