// The list of commands tslambda offers, in the order --help shows them: plain data (help, examples, rules across
// flags) and a loader, so that a command's modules (Docker, esbuild, the AWS SDK) load only when it runs.
import type { FlagRule } from '../config/flags.js';
import { DEFAULT_SERVE_PORT, type CommandName } from '../config/options.js';
import type { CommandHandler } from '../commands/types.js';

export interface CommandSpec<N extends CommandName> {
  name: N;
  /** A positional argument shown in the usage line, e.g. '[dir]'. */
  usage?: string;
  describe: string;
  examples: Array<[command: string, what: string]>;
  rules: ReadonlyArray<FlagRule<N>>;
  load(): Promise<CommandHandler<N>>;
}

export type CommandSpecs = { [N in CommandName]: CommandSpec<N> };

export const commandSpecs: CommandSpecs = {
  init: {
    name: 'init',
    usage: '[dir]',
    describe: 'Create a TypeScript function: handler, lambda.config.json, tsconfig.json, package.json scripts',
    examples: [
      ['$0 init hello', 'create the function "hello" in ./hello'],
      ['$0 init --name orders --region eu-west-1 --architecture arm64', 'in this folder, asking nothing'],
      ['$0 init api --dockerfile', 'also write a Dockerfile equivalent to the one tslambda generates'],
    ],
    rules: [],
    load: async () => (await import('../commands/init.js')).initCommand.handler,
  },
  build: {
    name: 'build',
    usage: '[names…]',
    describe: 'Build the function image through the Docker Engine API',
    examples: [
      ['$0 build', 'build with lambda.config.json from this folder or above'],
      ['$0 build --all', 'in a project of functions: each image once, however many functions share it'],
      ['$0 build --tag v2 --architecture arm64', 'build an arm64 image tagged v2'],
      [
        '$0 build --build-arg NPM_TOKEN --no-cache --json',
        'pass a build argument from the environment, rebuild every step, print JSON',
      ],
    ],
    rules: [],
    load: async () => (await import('../commands/build.js')).buildCommand.handler,
  },
  bundle: {
    name: 'bundle',
    describe: 'Bundle the TypeScript/JavaScript handler into a folder (what build puts in the image)',
    examples: [
      ['$0 bundle --out-dir dist', 'write dist/src/handler.mjs, its source map and external packages'],
      ['$0 bundle --typecheck', 'run tsc --noEmit first'],
    ],
    rules: [],
    load: async () => (await import('../commands/bundle.js')).bundleCommand.handler,
  },
  'invoke-local': {
    name: 'invoke-local',
    usage: '[names…]',
    describe: 'Run the function locally against a Lambda Runtime API emulator (in its container, or as a host process)',
    examples: [
      ['$0 invoke-local --data \'{"id":1}\'', 'build, then invoke once with an inline event'],
      ['$0 invoke-local --event event.json --repeat 3', 'invoke three times in one warm container (cold, then warm)'],
      [
        "echo '{}' | $0 invoke-local --no-build --json",
        'invoke the last built image with the event on stdin, print JSON',
      ],
      [
        '$0 invoke-local --serve 9000 --concurrency 2',
        'keep two warm containers behind the Invoke API on localhost:9000',
      ],
      ['$0 invoke-local --http --no-docker', 'answer HTTP on localhost:3000 as a Function URL would (try curl)'],
      ['$0 invoke-local --no-docker --env STAGE=dev', 'run the bundled handler as a host process, without Docker'],
      ['$0 invoke-local --watch --data \'{"id":1}\'', 'rebuild, restart and invoke again on every change'],
    ],
    rules: [
      (args) =>
        args.watch && (args.image !== undefined || !args.build)
          ? { path: '--watch', message: 'rebuilds on every change: drop --image and --no-build' }
          : undefined,
    ],
    load: async () => (await import('../commands/invoke-local.js')).invokeLocalCommand.handler,
  },
  dev: {
    name: 'dev',
    describe: 'Serve the function on the local Invoke API and reload it on every change (invoke-local --watch --serve)',
    examples: [
      ['$0 dev', `serve on localhost:${DEFAULT_SERVE_PORT}; each save rebuilds, and the next call gets the new code`],
      ['$0 dev --no-docker --serve 3001', 'the same with the runtime as a host process, on port 3001'],
    ],
    rules: [],
    load: async () => (await import('../commands/invoke-local.js')).devCommand.handler,
  },
  push: {
    name: 'push',
    usage: '[names…]',
    describe: 'Build the image and push it to ECR (repository created when missing); prints the digest',
    examples: [
      ['$0 push', 'build and push, tagged with the git short SHA (or a UTC timestamp outside git)'],
      ['$0 push --tag v1.4.0 --region eu-west-1', 'push with an explicit tag to another region'],
      ['$0 push --json', 'print { digest, imageUri, … } for scripts'],
    ],
    rules: [],
    load: async () => (await import('../commands/push.js')).pushCommand.handler,
  },
  deploy: {
    name: 'deploy',
    usage: '[names…]',
    describe: 'Build, push to ECR and update the existing function to the pushed digest',
    examples: [
      ['$0 deploy', 'build, push, update the function; skips push and update when it already runs this build'],
      ['$0 deploy --publish --alias live', 'publish a version and point the alias "live" at it'],
      ['$0 deploy --all --region eu-west-1,us-east-1', 'every function of the project, in two regions, in parallel'],
      ['$0 deploy api worker', 'two functions of the project'],
      [
        '$0 deploy --create --role arn:aws:iam::123456789012:role/fn-exec',
        'create the function when it does not exist',
      ],
      ['$0 deploy --dry-run', 'show what would happen without pushing or updating'],
      [
        '$0 deploy --alias live --canary 10% --bake 5m',
        'send 10% of "live" to the new version, promote after 5 quiet minutes',
      ],
      [
        '$0 deploy --image 123456789012.dkr.ecr.eu-west-1.amazonaws.com/app@sha256:…',
        'deploy an existing image, no build',
      ],
    ],
    rules: [
      (args) =>
        args.create && !args.role ? { path: '--create', message: 'needs --role <execution-role-arn>' } : undefined,
      (args) =>
        (args.bake !== undefined || args['max-error-rate'] !== undefined) && args.canary === undefined
          ? { path: args.bake !== undefined ? '--bake' : '--max-error-rate', message: 'needs --canary <share>' }
          : undefined,
      (args) =>
        args.from !== undefined && args.image === undefined
          ? { path: '--from', message: 'names where --image lives; pass --image <reference> with it' }
          : undefined,
    ],
    load: async () => (await import('../commands/deploy.js')).deployCommand.handler,
  },
  promote: {
    name: 'promote',
    usage: '[names…]',
    describe: 'Deploy the exact digest one config target runs to another (copied registry to registry, no build)',
    examples: [
      ['$0 promote --from staging --to prod', 'run in prod the image staging runs, by digest'],
      ['$0 promote --from staging --to prod --json', 'print { promotions: [{ digest, imageUri, status }] }'],
    ],
    rules: [],
    load: async () => (await import('../commands/promote.js')).promoteCommand.handler,
  },
  logs: {
    name: 'logs',
    usage: '[names…]',
    describe: "Print the function's CloudWatch logs, or follow them live",
    examples: [
      ['$0 logs', 'the last 10 minutes'],
      ['$0 logs -f', 'follow new lines with CloudWatch Live Tail until Ctrl-C'],
      ['$0 logs --since 1h --filter ERROR', 'lines of the last hour that contain ERROR'],
      ['$0 logs -f --qualifier live', 'only the version(s) the alias "live" routes to'],
    ],
    rules: [],
    load: async () => (await import('../commands/logs.js')).logsCommand.handler,
  },
  rollback: {
    name: 'rollback',
    usage: '[names…]',
    describe:
      'Go back to what ran before the last deploy (an alias to its previous version, or $LATEST to its previous image)',
    examples: [
      ['$0 rollback', 'point $LATEST back at the image the last deploy replaced'],
      ['$0 rollback --alias live', 'point the alias back at the version it had before the last deploy'],
      ['$0 rollback --alias live --to 3', 'point the alias at version 3'],
      ['$0 rollback --to sha256:…', 'point $LATEST at this digest of the same repository'],
      ['$0 rollback --dry-run', 'show the plan, change nothing'],
    ],
    rules: [],
    load: async () => (await import('../commands/rollback.js')).rollbackCommand.handler,
  },
};

export const commandNames: CommandName[] = [
  'init',
  'build',
  'bundle',
  'invoke-local',
  'dev',
  'push',
  'deploy',
  'promote',
  'logs',
  'rollback',
];

export function isCommandName(name: string | undefined): name is CommandName {
  return name !== undefined && name in commandSpecs;
}
