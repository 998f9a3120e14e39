// Builds and pushes one image on AWS CodeBuild (--builder codebuild): the same build context a local build sends the
// engine goes to S3 as a zip with a generated buildspec; the build logs in to ECR, builds, pushes, and exports the
// digest, which is read back from the registry before anything deploys it. The S3 object is deleted in every case.
import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  createBuildClients,
  createProject,
  deleteSource,
  startBuild,
  stopBuild,
  uploadSource,
  type BuildClients,
} from '../aws/codebuild.js';
import { verifyImage } from '../aws/ecr-image.js';
import type { Repository } from '../aws/ecr.js';
import { DEFAULT_BUILDER_PROJECT, type BuilderConfig } from '../config/builder.js';
import type { ResolvedConfig } from '../config/types.js';
import { UserError } from '../core/errors.js';
import { platformOf } from '../docker/platform.js';
import { BUILD_VARIABLES, BUILDSPEC_PATH, BUNDLE_CONTEXT_DIR, generateBuildspec } from '../image/buildspec.js';
import { createBuildContext } from '../image/context.js';
import { resolveImageSource } from '../image/source.js';
import { tarToZip } from '../image/zip.js';
import type { AwsTarget } from './aws-target.js';
import type { BuildOptions } from './build.js';
import type { PipelineContext } from './context.js';
import type { PushedImage } from './push.js';
import { followBuild } from './remote-build-follow.js';

/** One image to build remotely: the function's config (with its tag), where it goes, and the image to cache from. */
export interface RemoteBuildRequest {
  config: ResolvedConfig;
  repository: Repository;
  tag: string;
  options: BuildOptions;
  /** The function's current image by digest (<repositoryUri>@sha256:…), pulled as a layer cache. */
  cacheFrom?: string;
}

export const DEFAULT_IMAGES = {
  LINUX_CONTAINER: 'aws/codebuild/amazonlinux-x86_64-standard:5.0',
  ARM_CONTAINER: 'aws/codebuild/amazonlinux-aarch64-standard:3.0',
} as const;

/** What CodeBuild runs a build with, from the builder config and the function's architecture. */
function environmentOf(builder: BuilderConfig, architecture: ResolvedConfig['architecture']) {
  const environmentType = architecture === 'arm64' ? 'ARM_CONTAINER' : 'LINUX_CONTAINER';
  return {
    environmentType,
    image: builder.image ?? DEFAULT_IMAGES[environmentType],
    computeType: builder.computeType ?? 'BUILD_GENERAL1_SMALL',
  } as const;
}

/** The zip CodeBuild unpacks: the context under context/, the buildspec at the root. Written to a file as it streams. */
async function writeSourceBundle(ctx: PipelineContext, request: RemoteBuildRequest, file: string): Promise<void> {
  const { config, options } = request;
  const source = await resolveImageSource(config, ctx.out, {
    typecheck: options.typecheck,
    bundle: options.bundle,
    signal: ctx.signal,
  });
  const context = await createBuildContext(source.context);
  if (context.suspectedSecrets.length > 0)
    ctx.out.warn(
      `the build context holds files that look like secrets: ${context.suspectedSecrets.slice(0, 5).join(', ')}`,
    );
  const buildspec = generateBuildspec({
    dockerfile: source.dockerfile,
    platform: platformOf(config.architecture),
    buildArgs: config.buildArgs,
    labels: source.labels,
    target: config.target,
    noCache: options.noCache,
  });
  const zip = tarToZip(context.stream, {
    prefix: `${BUNDLE_CONTEXT_DIR}/`,
    extraFiles: [{ path: BUILDSPEC_PATH, content: buildspec }],
  });
  await pipeline(Readable.from(zip), createWriteStream(file), { signal: ctx.signal });
}

/** Builds and pushes one image on CodeBuild; resolves with the pushed image once the registry confirmed it. */
export async function codebuildStep(
  ctx: PipelineContext,
  target: AwsTarget,
  builder: BuilderConfig,
  request: RemoteBuildRequest,
): Promise<PushedImage> {
  // resolveBuilder (config/builder.ts) refused a CodeBuild builder without one.
  const bucket = builder.bucket ?? '';
  const project = builder.project ?? DEFAULT_BUILDER_PROJECT;
  const { config, repository, tag } = request;
  const clients = createBuildClients({ ...target.settings, region: target.region });
  const image = `${repository.uri}:${tag}`;
  const folder = await mkdtemp(join(tmpdir(), 'tslambda-codebuild-'));
  const key = `tslambda/${config.functionName}/${randomUUID()}.zip`;
  // Set once the upload may have begun: from then on the object is deleted, whatever happens.
  let mayExist = false;
  try {
    await ctx.out.step(`Uploading the build context to s3://${bucket}/${key}`, async () => {
      await writeSourceBundle(ctx, request, join(folder, 'source.zip'));
      mayExist = true;
      await uploadSource(clients.s3, bucket, key, join(folder, 'source.zip'), ctx.signal);
    });
    const environment = environmentOf(builder, config.architecture);
    if (request.options.createBuilder) await ensureProject(ctx, clients, builder, project, bucket, request);
    const variables = {
      [BUILD_VARIABLES.image]: image,
      [BUILD_VARIABLES.registry]: repository.uri.slice(0, repository.uri.indexOf('/')),
      [BUILD_VARIABLES.cacheFrom]: request.cacheFrom ?? '',
    };
    const spec = { project, bucket, key, ...environment, variables, region: target.region };
    const started = await startBuild(clients.codebuild, spec);
    ctx.out.debug(`CodeBuild build ${started.id} (${environment.environmentType}, ${environment.computeType})`);
    const outcome = await ctx.out
      .step(`Building ${image} on CodeBuild (${project}, ${platformOf(config.architecture)})`, (update) =>
        followBuild(ctx, clients, started.id!, update),
      )
      .catch(async (error: unknown) => {
        // Ctrl-C (or a failure to follow) must not leave the build running and billing.
        if (ctx.signal.aborted || !(error instanceof UserError && error.details?.buildStatus))
          await stopBuild(clients.codebuild, started.id!).catch((stopError: unknown) =>
            ctx.out.warn(`could not stop CodeBuild build ${started.id}: ${String(stopError)}`),
          );
        throw error;
      });
    const verified = await verifyImage(target.clients.ecr, repository, outcome.digest, config.architecture, ctx.signal);
    return {
      taggedReference: image,
      digest: verified.digest,
      imageUri: `${repository.uri}@${verified.digest}`,
      mediaType: verified.mediaType,
      layers: { total: verified.layers, pushed: outcome.layersPushed, existed: outcome.layersExisted },
    };
  } finally {
    if (mayExist)
      await deleteSource(clients.s3, bucket, key).catch((error: unknown) =>
        ctx.out.warn(`could not delete the source bundle s3://${bucket}/${key}: ${String(error)}`),
      );
    await rm(folder, { recursive: true, force: true });
  }
}

async function ensureProject(
  ctx: PipelineContext,
  clients: BuildClients,
  builder: BuilderConfig,
  project: string,
  bucket: string,
  request: RemoteBuildRequest,
): Promise<void> {
  const serviceRole = builder.serviceRole ?? request.options.builderRole;
  if (!serviceRole)
    throw new UserError('--create-builder needs the CodeBuild service role', {
      hint: 'pass --role <arn> or set "builder": {"serviceRole": "<arn>"}; the role needs the permissions listed in the README ("Building on AWS CodeBuild")',
    });
  const environment = environmentOf(builder, request.config.architecture);
  const created = await createProject(clients.codebuild, { name: project, bucket, serviceRole, ...environment });
  if (created)
    ctx.out.info(
      `created CodeBuild project ${project}; its role ${serviceRole} needs s3:GetObject on ${bucket}, ECR push and pull on the repository, ecr:GetAuthorizationToken, and logs:CreateLogStream/PutLogEvents`,
    );
}
