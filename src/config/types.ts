// The one type that describes a function's configuration, whether it came from flags, env or a file.
import type { ProgramConfig } from './program.js';

export type Architecture = 'x86_64' | 'arm64';

/** What a config file may hold (all optional; validation says what is required). */
export interface LambdaConfig {
  functionName?: string;
  region?: string;
  profile?: string;
  repository?: string;
  tag?: string;
  context?: string;
  dockerfile?: string;
  handler?: string;
  architecture?: Architecture;
  baseImage?: string;
  buildArgs?: Record<string, string>;
  labels?: Record<string, string>;
  target?: string;
  environment?: Record<string, string>;
  memorySize?: number;
  timeout?: number;
  alias?: string;
  publish?: boolean;
  createRepository?: boolean;
  imageTagMutability?: 'MUTABLE' | 'IMMUTABLE';
  external?: string[];
  /** A handler that is a program in any language (see program.ts) instead of a Node module. */
  program?: ProgramConfig;
}

/** The configuration after merging flags > environment > file > defaults, with paths made absolute. */
export interface ResolvedConfig {
  functionName: string;
  region?: string;
  profile?: string;
  repository: string;
  tag?: string;
  /** Absolute path of the build context. */
  context: string;
  /** Absolute path of the user's Dockerfile, when there is one. */
  dockerfile?: string;
  handler: string;
  architecture: Architecture;
  baseImage: string;
  buildArgs: Record<string, string>;
  labels: Record<string, string>;
  target?: string;
  environment: Record<string, string>;
  memorySize: number;
  timeout: number;
  alias?: string;
  publish: boolean;
  createRepository: boolean;
  imageTagMutability: 'MUTABLE' | 'IMMUTABLE';
  external: string[];
  program?: ProgramConfig;
  /** Folder of the config file (or the working folder when there is none). */
  configDir: string;
  /** Path of the config file that was loaded, if any. */
  configFile?: string;
}

export const DEFAULT_BASE_IMAGE = 'node:22-slim';

export const defaults = {
  handler: 'index.handler',
  architecture: 'x86_64',
  baseImage: DEFAULT_BASE_IMAGE,
  memorySize: 128,
  timeout: 3,
  publish: false,
  createRepository: true,
  imageTagMutability: 'MUTABLE',
} as const satisfies Partial<ResolvedConfig>;
