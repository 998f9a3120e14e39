// The one table of options: each entry is a config key, a flag, or both, with its help, check, default and commands.
// Config types (types.ts), validation (schema.ts), defaults, the command-line parser and help (cli/) and flag overrides derive from it.
import {
  boolean,
  handlerName,
  integer,
  nonEmptyString,
  oneOf,
  pattern,
  stringList,
  stringMap,
  RESERVED_ENV,
  type Check,
} from './checks.js';
import { bakeDuration, canaryWeight, errorRate } from './canary.js';
import { checkBuilder, type BuilderConfig } from './builder.js';
import { checkProgram, type ProgramConfig } from './program.js';
import { checkTargets, type TargetsConfig } from './targets.js';

export type CommandName =
  | 'init'
  | 'build'
  | 'bundle'
  | 'invoke-local'
  | 'dev'
  | 'push'
  | 'deploy'
  | 'logs'
  | 'rollback'
  | 'promote';

/**
 * The value an option holds; `strings` is a repeatable flag, `map` an object of strings; `program`, `builder` and
 * `targets` are config-only objects (program.ts, builder.ts, targets.ts), `functions` the project's map of function
 * name → settings (validated key by key in schema.ts).
 */
export type Kind =
  | 'string'
  | 'number'
  | 'boolean'
  | 'strings'
  | 'map'
  | 'program'
  | 'builder'
  | 'functions'
  | 'targets';

export interface OptionSpec {
  kind: Kind;
  choices?: readonly string[];
  /** Set when the option is a key of lambda.config.json: its rule there and for the flag alike. */
  config?: { check: Check; default?: unknown /** Always set after merging (a default of its own). */; resolved?: true };
  /** Set when the option is a command-line flag. */
  flag?: {
    name: string;
    /** A one-letter spelling, e.g. `-f` for --follow. */
    short?: string;
    describe: string;
    /** Which commands take it; 'all' for the global options. */
    commands: readonly CommandName[] | 'all';
    /** The flag's own default, when it has one apart from the config's. */
    default?: string | number | boolean;
    group?: string;
    positional?: true;
    /** `--serve` alone means this value. */
    valueWhenBare?: number | string;
    conflicts?: string;
    /** A check of a flag that has no config key. */
    check?: Check;
    /** How the flag's value becomes the config value (`--build-arg K=V` → buildArgs). */
    toConfig?: 'keyValues';
  };
}

export const DEFAULT_BASE_IMAGE = 'node:22-slim';
export const DEFAULT_SERVE_PORT = 9000;
export const DEFAULT_HTTP_PORT = 3000;
export const DEFAULT_INSPECT_ADDRESS = '127.0.0.1:9229';
/** `[host:]port` of --inspect, as Node reads it. */
export const INSPECT_ADDRESS = /^(?:(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):)?(\d{1,5})$/;

const BUILDING = ['build', 'push', 'deploy', 'invoke-local', 'dev'] as const;
const RUNNING = ['invoke-local', 'dev'] as const;
const GLOBAL = 'Global options:';
const BUILD = 'Build options:';
const DEPLOY = 'Deploy options:';
const LOGS = 'Logs options:';
const ROLLBACK = 'Rollback options:';
const TARGETS = 'Target options:';
const TARGETED = ['build', 'push', 'deploy', 'invoke-local', 'logs', 'rollback'] as const;

const found = (value: unknown) => (typeof value === 'number' ? `number ${value}` : JSON.stringify(value));
const positiveSeconds: Check = (value, path) =>
  typeof value === 'number' && value > 0
    ? []
    : [{ path, message: `expected a positive number of seconds, found ${found(value)}` }];
const atLeastOne: Check = (value, path) =>
  Number.isInteger(value) && Number(value) >= 1
    ? []
    : [{ path, message: `expected a whole number of at least 1, found ${found(value)}` }];
const REGION = /^[a-z]{2}(-[a-z]+)+-\d+$/;
const regionList: Check = (value, path) =>
  Array.isArray(value) && value.length > 0
    ? value.flatMap((item, index) => pattern(REGION, 'an AWS region such as "eu-west-1"')(item, `${path}[${index}]`))
    : [{ path, message: `expected a non-empty array of AWS regions, found ${found(value)}` }];
/** The map's shape and its names; each function's settings are checked key by key by schema.ts. */
const functionMap: Check = (value, path) => {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return [{ path, message: `expected an object of function name → settings, found ${found(value)}` }];
  return Object.entries(value).flatMap(([name, settings]) => [
    ...(/^[a-zA-Z0-9_-]{1,64}$/.test(name)
      ? []
      : [{ path: `${path}.${name}`, message: 'a function name is 1-64 letters, digits, - or _' }]),
    ...(typeof settings === 'object' && settings !== null && !Array.isArray(settings)
      ? []
      : [{ path: `${path}.${name}`, message: `expected an object of settings, found ${found(settings)}` }]),
  ]);
};
const port: Check = (value, path) =>
  Number.isInteger(value) && Number(value) >= 0 && Number(value) <= 65535
    ? []
    : [{ path, message: `expected a port between 0 and 65535, found ${found(value)}` }];

/** A layer is a layer version ARN (…:layer:NAME:VERSION) or a folder; an ARN without its version is refused. */
export const LAYER_ARN = /^arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:layer:[A-Za-z0-9_-]{1,140}:\d+$/;
const layerList: Check = (value, path) => {
  if (!Array.isArray(value))
    return [{ path, message: `expected an array of layer ARNs or folders, found ${found(value)}` }];
  return value.flatMap((item, index) =>
    typeof item === 'string' && item.trim() !== '' && (!item.startsWith('arn:') || LAYER_ARN.test(item))
      ? []
      : [
          {
            path: `${path}[${index}]`,
            message: `expected a layer version ARN (arn:aws:lambda:REGION:ACCOUNT:layer:NAME:VERSION) or a folder, found ${found(item)}`,
          },
        ],
  );
};

const inspectAddress: Check = (value, path) => {
  const match = typeof value === 'string' ? INSPECT_ADDRESS.exec(value) : null;
  return match && Number(match[2]) <= 65535
    ? []
    : [{ path, message: `expected [HOST:]PORT such as 127.0.0.1:9229 or 9230, found ${found(value)}` }];
};

export const options = {
  // Global flags, two of them also config keys.
  configFile: {
    kind: 'string',
    flag: {
      name: 'config',
      commands: 'all',
      group: GLOBAL,
      describe: 'Config file to use instead of searching for lambda.config.json',
      check: nonEmptyString,
    },
  },
  cwd: {
    kind: 'string',
    flag: {
      name: 'cwd',
      commands: 'all',
      group: GLOBAL,
      describe: 'Folder to run in (config search starts here)',
      check: nonEmptyString,
    },
  },
  // The function, first among the config keys as in every error that lists them.
  functionName: {
    kind: 'string',
    config: {
      check: pattern(/^[a-zA-Z0-9_-]{1,64}$/, 'a Lambda function name (1-64 letters, digits, - or _)'),
      resolved: true,
    },
  },
  region: {
    kind: 'string',
    config: { check: pattern(REGION, 'an AWS region such as "eu-west-1"') },
    flag: {
      name: 'region',
      commands: 'all',
      group: GLOBAL,
      describe: 'AWS region, or several: --region eu-west-1,us-east-1 (overrides AWS_REGION and the config file)',
    },
  },
  profile: {
    kind: 'string',
    config: { check: nonEmptyString },
    flag: {
      name: 'profile',
      commands: 'all',
      group: GLOBAL,
      describe: 'AWS shared-config profile (overrides AWS_PROFILE and the config file)',
    },
  },
  json: {
    kind: 'boolean',
    flag: {
      name: 'json',
      commands: 'all',
      group: GLOBAL,
      default: false,
      describe: 'Print only a JSON result on stdout',
    },
  },
  verbose: {
    kind: 'boolean',
    flag: {
      name: 'verbose',
      commands: 'all',
      group: GLOBAL,
      default: false,
      describe: 'Show every daemon line, debug output and stacks of unexpected errors',
    },
  },
  quiet: {
    kind: 'boolean',
    flag: {
      name: 'quiet',
      commands: 'all',
      group: GLOBAL,
      default: false,
      describe: 'Print nothing but errors and the result',
    },
  },
  color: {
    kind: 'boolean',
    flag: {
      name: 'color',
      commands: 'all',
      group: GLOBAL,
      describe: 'Colour output (--no-color or NO_COLOR=1 to turn off)',
    },
  },

  // Keys of the config file.
  repository: {
    kind: 'string',
    config: {
      check: pattern(
        /^(?=.{2,256}$)(?:[a-z0-9]+(?:[._-][a-z0-9]+)*\/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$/,
        'an ECR repository name (lower-case letters, digits, . _ - and /)',
      ),
      resolved: true,
    },
  },
  tag: {
    kind: 'string',
    config: {
      check: pattern(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/, 'an image tag (letters, digits, _ . -, at most 128)'),
    },
    flag: {
      name: 'tag',
      commands: BUILDING,
      group: BUILD,
      describe:
        'Image tag (default: config "tag"; else "latest" for build, the git short SHA or a UTC timestamp for push/deploy)',
    },
  },
  context: { kind: 'string', config: { check: nonEmptyString, resolved: true } },
  dockerfile: {
    kind: 'string',
    config: { check: nonEmptyString },
    flag: {
      name: 'dockerfile',
      commands: BUILDING,
      group: BUILD,
      describe: 'Dockerfile to use (default: Dockerfile in the context, else generated)',
    },
  },
  handler: { kind: 'string', config: { check: handlerName, default: 'index.handler' } },
  architecture: {
    kind: 'string',
    choices: ['x86_64', 'arm64'],
    config: { check: oneOf('x86_64', 'arm64'), default: 'x86_64' },
    flag: {
      name: 'architecture',
      commands: BUILDING,
      group: BUILD,
      describe: 'Lambda architecture; decides the build platform',
    },
  },
  baseImage: {
    kind: 'string',
    config: { check: nonEmptyString, default: DEFAULT_BASE_IMAGE },
    flag: { name: 'base-image', commands: BUILDING, group: BUILD, describe: 'Base image of the generated Dockerfile' },
  },
  buildArgs: {
    kind: 'map',
    config: { check: stringMap(), resolved: true },
    flag: {
      name: 'build-arg',
      commands: BUILDING,
      group: BUILD,
      toConfig: 'keyValues',
      describe: 'Build argument K=V (repeatable; K alone takes its value from the environment)',
    },
  },
  // Docker contexts (issue 15): which engine builds, runs and pushes; wins over DOCKER_HOST, as docker --context does.
  dockerContext: {
    kind: 'string',
    config: {
      check: pattern(/^[a-zA-Z0-9][a-zA-Z0-9_.+-]*$/, 'a Docker context name, as `docker context ls` lists it'),
    },
    flag: {
      name: 'docker-context',
      commands: BUILDING,
      group: BUILD,
      describe: 'Docker context whose engine to use (overrides DOCKER_HOST, DOCKER_CONTEXT and `docker context use`)',
    },
  },
  labels: { kind: 'map', config: { check: stringMap(), resolved: true } },
  target: {
    kind: 'string',
    config: { check: nonEmptyString },
    flag: { name: 'target', commands: BUILDING, group: BUILD, describe: 'Stage of a multi-stage Dockerfile to build' },
  },
  environment: {
    kind: 'map',
    config: {
      check: stringMap(
        { regex: /^[a-zA-Z][a-zA-Z0-9_]*$/, allowed: 'a variable name (a letter, then letters, digits or _)' },
        (key) => RESERVED_ENV.has(key),
      ),
      resolved: true,
    },
  },
  memorySize: { kind: 'number', config: { check: integer(128, 10240), default: 128 } },
  timeout: { kind: 'number', config: { check: integer(1, 900), default: 3 } },
  alias: {
    kind: 'string',
    config: {
      check: pattern(/^(?!\d+$)[a-zA-Z0-9_-]{1,128}$/, 'an alias name (letters, digits, - or _, not only digits)'),
    },
    flag: {
      name: 'alias',
      commands: ['deploy', 'rollback'],
      group: DEPLOY,
      describe:
        'deploy: point this alias at the published version, creating it if missing (implies --publish); rollback: move this alias back',
    },
  },
  publish: {
    kind: 'boolean',
    config: { check: boolean, default: false },
    flag: {
      name: 'publish',
      commands: ['deploy'],
      group: DEPLOY,
      describe: 'Publish a version after the update (config "publish")',
    },
  },
  createRepository: { kind: 'boolean', config: { check: boolean, default: true } },
  imageTagMutability: {
    kind: 'string',
    choices: ['MUTABLE', 'IMMUTABLE'],
    config: { check: oneOf('MUTABLE', 'IMMUTABLE'), default: 'MUTABLE' },
  },
  external: { kind: 'strings', config: { check: stringList, resolved: true } },
  // A handler that is a program in any language instead of a Node module; its shape and check are in program.ts.
  program: { kind: 'program', config: { check: checkProgram } },
  // Layers (issue 13): folders, or layer version ARNs downloaded with GetLayerVersion, copied into the image's /opt.
  layers: { kind: 'strings', config: { check: layerList } },

  // Projects of many functions and regions (README "Projects with many functions"): the config's `functions` map and
  // `regions` list, and the flags that pick targets (function × region) and how many run at once.
  functions: { kind: 'functions', config: { check: functionMap } },
  regions: { kind: 'strings', config: { check: regionList } },
  names: {
    kind: 'strings',
    flag: {
      name: 'names',
      commands: TARGETED,
      positional: true,
      group: TARGETS,
      describe: 'Functions of the project to act on (default: the only one; see --all)',
    },
  },
  all: {
    kind: 'boolean',
    flag: {
      name: 'all',
      commands: TARGETED,
      group: TARGETS,
      default: false,
      describe: 'Every function of the project',
    },
  },
  initFunction: {
    kind: 'string',
    flag: {
      name: 'function',
      commands: ['init'],
      describe: "Add a function of this name to the project's lambda.config.json (and src/NAME.ts)",
    },
  },
  targetConcurrency: {
    kind: 'number',
    flag: {
      name: 'concurrency',
      commands: ['build', 'push', 'deploy', 'rollback'],
      group: TARGETS,
      check: atLeastOne,
      describe:
        'Targets (function × region) worked on at once (default: 4 per CPU, at least 8; builds run one per CPU)',
    },
  },

  // Flags of the commands that build.
  cache: {
    kind: 'boolean',
    flag: {
      name: 'cache',
      commands: BUILDING,
      group: BUILD,
      default: true,
      describe: 'Use the build cache (--no-cache to rebuild every step)',
    },
  },
  pull: {
    kind: 'boolean',
    flag: {
      name: 'pull',
      commands: BUILDING,
      group: BUILD,
      default: false,
      describe: 'Always pull a newer version of the base image',
    },
  },
  typecheck: {
    kind: 'boolean',
    flag: {
      name: 'typecheck',
      commands: [...BUILDING, 'bundle'],
      group: BUILD,
      default: false,
      describe: "Run the project's tsc --noEmit first and stop on type errors",
    },
  },
  bundle: {
    kind: 'boolean',
    flag: {
      name: 'bundle',
      commands: BUILDING,
      group: BUILD,
      default: true,
      describe:
        'Bundle a TS/JS handler with esbuild when there is no Dockerfile (--no-bundle to copy the folder as is)',
    },
  },

  // Remote builds (issue 15): where the image is built; `builder` is the config object, --builder picks its type.
  builder: { kind: 'builder', config: { check: checkBuilder } },
  builderType: {
    kind: 'string',
    choices: ['local', 'codebuild'],
    flag: {
      name: 'builder',
      commands: ['push', 'deploy'],
      group: BUILD,
      describe: 'Build with the local engine or on AWS CodeBuild (default: config "builder", else local)',
    },
  },
  createBuilder: {
    kind: 'boolean',
    flag: {
      name: 'create-builder',
      commands: ['push', 'deploy'],
      group: BUILD,
      default: false,
      describe: 'Create the CodeBuild project on first use (service role: builder.serviceRole, else --role)',
    },
  },

  // deploy
  create: {
    kind: 'boolean',
    flag: {
      name: 'create',
      commands: ['deploy'],
      group: DEPLOY,
      default: false,
      describe: 'Create the function when it does not exist (needs --role)',
    },
  },
  role: {
    kind: 'string',
    flag: {
      name: 'role',
      commands: ['deploy'],
      group: DEPLOY,
      describe: 'Execution role ARN for --create',
      check: pattern(
        /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/,
        'an IAM role ARN (arn:aws:iam::<account>:role/<name>)',
      ),
    },
  },
  dryRun: {
    kind: 'boolean',
    flag: {
      name: 'dry-run',
      commands: ['deploy', 'rollback'],
      group: DEPLOY,
      default: false,
      describe: 'Resolve everything and print the plan; push and update nothing',
    },
  },
  pushAnyway: {
    kind: 'boolean',
    flag: {
      name: 'push-anyway',
      commands: ['deploy'],
      group: DEPLOY,
      default: false,
      describe: 'Push the image even when the function does not exist',
    },
  },
  waitTimeout: {
    kind: 'number',
    flag: {
      name: 'wait-timeout',
      commands: ['deploy', 'rollback', 'promote'],
      group: DEPLOY,
      default: 300,
      check: positiveSeconds,
      describe: 'Seconds to wait for Lambda to finish an update',
    },
  },

  smoke: {
    kind: 'string',
    flag: {
      name: 'smoke',
      commands: ['deploy'],
      group: DEPLOY,
      describe:
        'After the update, invoke once with this event (a JSON file or inline JSON); a failure rolls back, exit 14',
    },
  },
  tail: {
    kind: 'boolean',
    flag: {
      name: 'tail',
      commands: ['deploy'],
      group: DEPLOY,
      default: false,
      describe: "After the update, follow the function's logs until Ctrl-C",
    },
  },

  // deploy --canary (issue 16): shift some of an alias's traffic to the new version, watch its errors, then promote or roll back
  canary: {
    kind: 'string',
    flag: {
      name: 'canary',
      commands: ['deploy'],
      group: DEPLOY,
      check: canaryWeight,
      describe:
        'With an alias: route this share of its traffic (e.g. 10%) to the new version, watch its errors during --bake, then promote or roll back (exit 14)',
    },
  },
  bake: {
    kind: 'string',
    flag: {
      name: 'bake',
      commands: ['deploy'],
      group: DEPLOY,
      check: bakeDuration,
      describe: 'How long --canary watches the new version before promoting it (5m, 90s, 1h; default 5m)',
    },
  },
  maxErrorRate: {
    kind: 'string',
    flag: {
      name: 'max-error-rate',
      commands: ['deploy'],
      group: DEPLOY,
      check: errorRate,
      describe: "Roll a --canary back when the new version's errors per invocation exceed this (1%, 0.01; default 0)",
    },
  },
  // Promotion without a rebuild (issue 12): deploy --image, promote --from/--to, the config's named targets.
  targets: { kind: 'targets', config: { check: checkTargets } },
  deployImage: {
    kind: 'string',
    flag: {
      name: 'image',
      commands: ['deploy'],
      group: DEPLOY,
      describe:
        'Deploy this image instead of building: <registry>/<repo>@sha256:… or :tag (copied registry to registry), or a local image',
      check: nonEmptyString,
    },
  },
  promoteFrom: {
    kind: 'string',
    flag: {
      name: 'from',
      commands: ['deploy', 'promote'],
      group: DEPLOY,
      describe:
        'promote: the config target whose function runs the image; deploy --image: the target whose ECR holds it',
    },
  },
  promoteTo: {
    kind: 'string',
    flag: { name: 'to', commands: ['promote'], group: DEPLOY, describe: 'The config target to deploy the image to' },
  },
  promoteNames: {
    kind: 'strings',
    flag: {
      name: 'names',
      commands: ['promote'],
      positional: true,
      describe: 'Functions of the project to promote (default: every one)',
    },
  },

  // logs
  follow: {
    kind: 'boolean',
    flag: {
      name: 'follow',
      short: 'f',
      commands: ['logs'],
      group: LOGS,
      default: false,
      describe: 'Keep printing new lines (Live Tail; polls where Live Tail is refused) until Ctrl-C',
    },
  },
  since: {
    kind: 'string',
    flag: {
      name: 'since',
      commands: ['logs'],
      group: LOGS,
      describe: 'Start this long ago (30s, 10m, 2h, 1d) or at an ISO date; default 10m, or now with --follow',
    },
  },
  filter: {
    kind: 'string',
    flag: {
      name: 'filter',
      commands: ['logs'],
      group: LOGS,
      describe: 'CloudWatch filter pattern, e.g. ERROR or "?timeout ?Error"',
      check: nonEmptyString,
    },
  },
  qualifier: {
    kind: 'string',
    flag: {
      name: 'qualifier',
      commands: ['logs'],
      group: LOGS,
      describe: "Only this version's lines; an alias means the version(s) it routes to",
      check: pattern(/^(\$LATEST|[a-zA-Z0-9_-]{1,128})$/, 'a version number, $LATEST or an alias name'),
    },
  },

  // rollback
  to: {
    kind: 'string',
    flag: {
      name: 'to',
      commands: ['rollback'],
      group: ROLLBACK,
      describe: 'Go to this version (or, for $LATEST, this sha256: digest) instead of the recorded one',
      check: pattern(/^(\d+|sha256:[0-9a-f]{64})$/, 'a version number or an image digest (sha256:<64 hex digits>)'),
    },
  },

  // invoke-local and dev: how the function runs
  env: {
    kind: 'strings',
    flag: {
      name: 'env',
      commands: RUNNING,
      describe: 'Function environment variable K=V (repeatable; K alone takes its value from here)',
    },
  },
  envFile: {
    kind: 'string',
    flag: {
      name: 'env-file',
      commands: RUNNING,
      describe: 'File of KEY=value lines for the function environment',
      check: nonEmptyString,
    },
  },
  passAwsCredentials: {
    kind: 'boolean',
    flag: {
      name: 'pass-aws-credentials',
      commands: RUNNING,
      default: false,
      describe: 'Give the function your AWS credentials (from the usual chain and --profile)',
    },
  },
  serve: {
    kind: 'number',
    flag: {
      name: 'serve',
      commands: RUNNING,
      valueWhenBare: DEFAULT_SERVE_PORT,
      check: port,
      describe: `Keep the function warm behind the Lambda Invoke API on localhost:PORT (default ${DEFAULT_SERVE_PORT})`,
    },
  },
  concurrency: {
    kind: 'number',
    flag: {
      name: 'concurrency',
      commands: RUNNING,
      default: 1,
      check: atLeastOne,
      describe: 'With --serve or --http: number of warm environments (more requests queue)',
    },
  },
  // invoke-local --http (issue 13): an HTTP front like a Function URL / API Gateway in front of the warm function
  http: {
    kind: 'number',
    flag: {
      name: 'http',
      commands: RUNNING,
      valueWhenBare: DEFAULT_HTTP_PORT,
      check: port,
      describe: `Answer HTTP on localhost:PORT as a Function URL / API Gateway would (default ${DEFAULT_HTTP_PORT})`,
    },
  },
  httpFormat: {
    kind: 'string',
    choices: ['v1', 'v2'],
    flag: {
      name: 'http-format',
      commands: RUNNING,
      default: 'v2',
      describe: 'With --http: the event format, v2 (HTTP API, Function URL) or v1 (REST API)',
    },
  },
  docker: {
    kind: 'boolean',
    flag: {
      name: 'docker',
      commands: RUNNING,
      default: true,
      describe: 'Run in the image (--no-docker: run the runtime loop as a host process)',
    },
  },
  // invoke-local --inspect (issue 13): Node's inspector in the function's runtime, its timeout off.
  inspect: {
    kind: 'string',
    flag: {
      name: 'inspect',
      // Not for `dev`: a watch replaces the environment the debugger is attached to.
      commands: ['invoke-local'],
      valueWhenBare: DEFAULT_INSPECT_ADDRESS,
      check: inspectAddress,
      conflicts: 'inspect-brk',
      describe: `Start Node's inspector in the function on [HOST:]PORT (default ${DEFAULT_INSPECT_ADDRESS}); no timeout while it runs`,
    },
  },
  inspectBrk: {
    kind: 'string',
    flag: {
      name: 'inspect-brk',
      commands: ['invoke-local'],
      valueWhenBare: DEFAULT_INSPECT_ADDRESS,
      check: inspectAddress,
      describe: 'Like --inspect, and wait for the debugger to attach before the runtime starts',
    },
  },
  // invoke-local only: what to invoke
  event: {
    kind: 'string',
    flag: {
      name: 'event',
      commands: ['invoke-local'],
      conflicts: 'data',
      describe: 'JSON file holding the event ("-" for stdin)',
      check: nonEmptyString,
    },
  },
  data: { kind: 'string', flag: { name: 'data', commands: ['invoke-local'], describe: 'The event as inline JSON' } },
  build: {
    kind: 'boolean',
    flag: {
      name: 'build',
      commands: ['invoke-local'],
      default: true,
      describe: 'Build the image first (--no-build uses the last one)',
    },
  },
  image: {
    kind: 'string',
    flag: {
      name: 'image',
      commands: ['invoke-local'],
      describe: 'Run this image instead of building one',
      check: nonEmptyString,
    },
  },
  repeat: {
    kind: 'number',
    flag: {
      name: 'repeat',
      commands: ['invoke-local'],
      default: 1,
      check: atLeastOne,
      describe: 'Invoke N times in the same warm environment',
    },
  },
  watch: {
    kind: 'boolean',
    flag: {
      name: 'watch',
      commands: ['invoke-local'],
      default: false,
      describe: 'On every change: rebuild, restart, and invoke again (or keep serving the new code); Ctrl-C to stop',
    },
  },

  // bundle
  outDir: {
    kind: 'string',
    flag: {
      name: 'out-dir',
      commands: ['bundle'],
      default: 'dist',
      describe: 'Folder to write the bundle to',
      // An empty value would be the project folder itself: the bundle would overwrite the sources.
      check: nonEmptyString,
    },
  },

  // init: its own meaning of some names (the new function's settings, not overrides of a config)
  initDir: {
    kind: 'string',
    flag: {
      name: 'dir',
      commands: ['init'],
      positional: true,
      default: '.',
      describe: 'Folder to create the function in (made if missing)',
    },
  },
  initName: {
    kind: 'string',
    flag: { name: 'name', commands: ['init'], describe: 'Function name (default: the folder name)' },
  },
  initArchitecture: {
    kind: 'string',
    choices: ['x86_64', 'arm64'],
    flag: { name: 'architecture', commands: ['init'], describe: 'Lambda architecture (default x86_64)' },
  },
  initBaseImage: {
    kind: 'string',
    flag: {
      name: 'base-image',
      commands: ['init'],
      describe: `Base image to build on (default ${DEFAULT_BASE_IMAGE})`,
      check: nonEmptyString,
    },
  },
  initDockerfile: {
    kind: 'boolean',
    flag: {
      name: 'dockerfile',
      commands: ['init'],
      default: false,
      describe: 'Also write an explicit Dockerfile equivalent to the generated one',
    },
  },
  initForce: {
    kind: 'boolean',
    flag: { name: 'force', commands: ['init'], default: false, describe: 'Overwrite files that already exist' },
  },
  // init --program --dockerfile (issue 14): the runtime loop's lines for a program's Dockerfile of the user's own.
  initProgram: {
    kind: 'boolean',
    flag: {
      name: 'program',
      commands: ['init'],
      default: false,
      describe:
        'With --dockerfile: print the lines a Dockerfile of your own needs for the "program" of lambda.config.json (writes nothing)',
    },
  },
} as const satisfies Record<string, OptionSpec>;

export type Options = typeof options;
export type OptionId = keyof Options;

/** The TypeScript type of an option's value. */
export type ValueOf<O> = O extends { choices: readonly (infer C)[] }
  ? C
  : O extends { kind: 'string' }
    ? string
    : O extends { kind: 'number' }
      ? number
      : O extends { kind: 'boolean' }
        ? boolean
        : O extends { kind: 'strings' }
          ? string[]
          : O extends { kind: 'program' }
            ? ProgramConfig
            : O extends { kind: 'builder' }
              ? BuilderConfig
              : O extends { kind: 'functions' }
                ? Record<string, FunctionSettings>
                : O extends { kind: 'targets' }
                  ? TargetsConfig
                  : Record<string, string>;

/** One entry of `functions`: any config key but `functions` itself, over the project's top-level defaults. */
export type FunctionSettings = { [K in Exclude<ConfigKey, 'functions'>]?: ValueOf<Options[K]> };

export type ConfigKey = { [K in OptionId]: Options[K] extends { config: object } ? K : never }[OptionId];

type FlagIdOf<N extends CommandName> = {
  [K in OptionId]: Options[K] extends { flag: { commands: infer C } }
    ? C extends 'all'
      ? K
      : C extends readonly (infer E)[]
        ? N extends E
          ? K
          : never
        : never
    : never;
}[OptionId];
type FlagName<K extends OptionId> = Options[K] extends { flag: { name: infer F extends string } } ? F : never;
type Defaulted<Ids extends OptionId> = {
  [K in Ids]: Options[K] extends { flag: { default: unknown } } ? K : never;
}[Ids];
/** A flag's value: the config's, except a repeated `K=V` flag, which arrives as the list typed. */
type FlagValue<K extends OptionId> = Options[K] extends { flag: { toConfig: 'keyValues' } }
  ? string[]
  : ValueOf<Options[K]>;
type ArgsFrom<Ids extends OptionId> = { [K in Defaulted<Ids> as FlagName<K>]: FlagValue<K> } & {
  [K in Exclude<Ids, Defaulted<Ids>> as FlagName<K>]?: FlagValue<K>;
};

/** The arguments a command's handler receives, inferred from the table: flags with a default are always set. */
export type ArgsOf<N extends CommandName> = ArgsFrom<FlagIdOf<N>>;

/** The options every command accepts. */
export type GlobalArgs = ArgsFrom<
  { [K in OptionId]: Options[K] extends { flag: { commands: 'all' } } ? K : never }[OptionId]
>;

/** Every entry, as data, for the code that walks the table (checks, parser, help). */
export const optionEntries: Array<[OptionId, OptionSpec]> = Object.entries(options).flatMap(
  ([id, spec]): Array<[OptionId, OptionSpec]> => (isOptionId(id) ? [[id, spec]] : []),
);

function isOptionId(id: string): id is OptionId {
  return id in options;
}

/** The kind of value a flag takes on the command line. */
export const flagKind = (spec: OptionSpec): Kind => (spec.flag?.toConfig === 'keyValues' ? 'strings' : spec.kind);

/** The flags a command takes, in table order. */
export function flagsOf(
  command: CommandName,
): Array<[OptionId, OptionSpec & { flag: NonNullable<OptionSpec['flag']> }]> {
  return optionEntries.flatMap(([id, spec]) => {
    const flag = spec.flag;
    if (!flag || !(flag.commands === 'all' || flag.commands.includes(command))) return [];
    return [[id, { ...spec, flag }]];
  });
}
