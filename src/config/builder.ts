// The `builder` key: where images are built. The local engine by default, or AWS CodeBuild (`{"type": "codebuild", …}`).
// Its type and check live here, apart from the option table, as the `program` key's do.
import { UserError } from '../core/errors.js';
import type { ConfigProblem } from './checks.js';

export type BuilderType = 'local' | 'codebuild';

export interface BuilderConfig {
  type: BuilderType;
  /** codebuild: the CodeBuild project that runs the builds (default "tslambda-builder"). */
  project?: string;
  /** codebuild: the S3 bucket the source bundles go to (required for codebuild). */
  bucket?: string;
  /** codebuild: BUILD_GENERAL1_SMALL (default), _MEDIUM, _LARGE… */
  computeType?: (typeof COMPUTE_TYPES)[number];
  /** codebuild: the build image (default: AWS's standard image of the architecture). */
  image?: string;
  /** codebuild: the project's service role, for --create-builder (else --role). */
  serviceRole?: string;
}

export const COMPUTE_TYPES = [
  'BUILD_GENERAL1_SMALL',
  'BUILD_GENERAL1_MEDIUM',
  'BUILD_GENERAL1_LARGE',
  'BUILD_GENERAL1_XLARGE',
  'BUILD_GENERAL1_2XLARGE',
] as const;

export const DEFAULT_BUILDER_PROJECT = 'tslambda-builder';

const KEYS = ['type', 'project', 'bucket', 'computeType', 'image', 'serviceRole'];
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const PROJECT = /^[A-Za-z0-9][A-Za-z0-9_-]{1,254}$/;

export function checkBuilder(value: unknown, path: string): ConfigProblem[] {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return [{ path, message: 'expected an object such as {"type": "codebuild", "bucket": "my-build-sources"}' }];
  const builder = value as Record<string, unknown>;
  const problems: ConfigProblem[] = [];
  const add = (key: string, message: string) => problems.push({ path: `${path}.${key}`, message });
  for (const key of Object.keys(builder))
    if (!KEYS.includes(key)) add(key, `unknown key; allowed keys: ${KEYS.join(', ')}`);
  const { type, project, bucket, computeType, image, serviceRole } = builder;
  if (type !== 'local' && type !== 'codebuild')
    add('type', `expected "local" or "codebuild", found ${JSON.stringify(type)}`);
  if (project !== undefined && (typeof project !== 'string' || !PROJECT.test(project)))
    add('project', 'expected a CodeBuild project name (2-255 letters, digits, - or _)');
  if (bucket !== undefined && (typeof bucket !== 'string' || !BUCKET.test(bucket)))
    add('bucket', 'expected an S3 bucket name (3-63 lower-case letters, digits, . or -)');
  // Docker builds need privileged EC2 compute: CodeBuild's Lambda compute types cannot run them.
  if (computeType !== undefined && !(COMPUTE_TYPES as readonly unknown[]).includes(computeType))
    add('computeType', `expected one of ${COMPUTE_TYPES.map((t) => `"${t}"`).join(', ')}`);
  if (image !== undefined && (typeof image !== 'string' || image.trim() === ''))
    add('image', 'expected a build image such as "aws/codebuild/amazonlinux-x86_64-standard:5.0"');
  if (serviceRole !== undefined && (typeof serviceRole !== 'string' || !serviceRole.startsWith('arn:')))
    add('serviceRole', 'expected an IAM role ARN such as "arn:aws:iam::123456789012:role/tslambda-builder"');
  if (type === 'local')
    for (const key of ['project', 'bucket', 'computeType', 'image', 'serviceRole'])
      if (builder[key] !== undefined) add(key, 'applies to "type": "codebuild" only');
  return problems;
}

/**
 * The builder a command uses: the config's, with --builder choosing the type (the config's other settings kept).
 * A CodeBuild builder without a bucket stops here, before anything is built or asked of AWS.
 */
export function resolveBuilder(configured: BuilderConfig | undefined, flag: BuilderType | undefined): BuilderConfig {
  const builder: BuilderConfig = !flag
    ? (configured ?? { type: 'local' })
    : flag === 'local'
      ? { type: 'local' }
      : { ...configured, type: flag };
  if (builder.type === 'codebuild' && !builder.bucket)
    throw new UserError('--builder codebuild needs an S3 bucket for the build context', {
      hint: 'set "builder": {"type": "codebuild", "bucket": "<bucket>"} in lambda.config.json',
    });
  return builder;
}
