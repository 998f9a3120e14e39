// AWS CodeBuild and the S3 source bundle for remote builds: clients, the project, starting, reading and stopping a
// build, and the build's log stream. Loaded only when a command builds on CodeBuild (the SDKs are large).
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { CloudWatchLogsClient, FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import {
  BatchGetBuildsCommand,
  CodeBuildClient,
  CreateProjectCommand,
  StartBuildCommand,
  StopBuildCommand,
  type Build,
  type ComputeType,
} from '@aws-sdk/client-codebuild';
import { DeleteObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { ExitCode, UserError } from '../core/errors.js';
import { AWS_TIMEOUTS, sdkSettings } from './clients.js';
import { awsCall, awsErrorCode } from './errors.js';

export type { Build } from '@aws-sdk/client-codebuild';

export interface BuildClients {
  codebuild: CodeBuildClient;
  s3: S3Client;
  logs: CloudWatchLogsClient;
}

/** Clients for the command's environment; S3 is addressed by path under an endpoint override (a local fake). */
export function createBuildClients(target: { env: NodeJS.ProcessEnv; region?: string; profile?: string }) {
  const bounds = {
    maxAttempts: AWS_TIMEOUTS.maxAttempts,
    requestHandler: { connectionTimeout: AWS_TIMEOUTS.connectMs, requestTimeout: AWS_TIMEOUTS.requestMs },
  };
  const s3 = sdkSettings(target, 'S3');
  return {
    codebuild: new CodeBuildClient({ ...sdkSettings(target, 'CODEBUILD'), ...bounds }),
    s3: new S3Client({ ...s3, ...bounds, forcePathStyle: s3.endpoint !== undefined }),
    logs: new CloudWatchLogsClient({ ...sdkSettings(target, 'CLOUDWATCH_LOGS'), ...bounds }),
  } satisfies BuildClients;
}

/** Uploads a file (its size known, so PutObject streams it) and returns its S3 location. */
export async function uploadSource(s3: S3Client, bucket: string, key: string, file: string, signal: AbortSignal) {
  const { size } = await stat(file);
  await awsCall(`PutObject s3://${bucket}/${key}`, () =>
    s3.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: key,
        Body: createReadStream(file),
        ContentLength: size,
        ContentType: 'application/zip',
      }),
      { abortSignal: signal },
    ),
  );
  return { bucket, key, size };
}

/** Deletes the source bundle; its own short deadline, since it also runs after Ctrl-C aborted the command. */
export async function deleteSource(s3: S3Client, bucket: string, key: string): Promise<void> {
  await awsCall(`DeleteObject s3://${bucket}/${key}`, () =>
    s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }), { abortSignal: AbortSignal.timeout(10_000) }),
  );
}

export interface ProjectSpec {
  name: string;
  bucket: string;
  serviceRole: string;
  environmentType: 'LINUX_CONTAINER' | 'ARM_CONTAINER';
  image: string;
  computeType: ComputeType;
}

/** CreateProject; a project that already exists is used as it is. Returns whether it was created. */
export async function createProject(codebuild: CodeBuildClient, spec: ProjectSpec): Promise<boolean> {
  try {
    await codebuild.send(
      new CreateProjectCommand({
        name: spec.name,
        description: 'Builds Lambda container images for tslambda (--builder codebuild)',
        // Every build names its own bundle (sourceLocationOverride); this location is only the project's default.
        source: { type: 'S3', location: `${spec.bucket}/tslambda/source.zip` },
        artifacts: { type: 'NO_ARTIFACTS' },
        // Best effort: the build host keeps Docker's layers only while it stays warm between builds.
        cache: { type: 'LOCAL', modes: ['LOCAL_DOCKER_LAYER_CACHE'] },
        environment: {
          type: spec.environmentType,
          image: spec.image,
          computeType: spec.computeType,
          privilegedMode: true,
        },
        serviceRole: spec.serviceRole,
        logsConfig: { cloudWatchLogs: { status: 'ENABLED' } },
      }),
    );
    return true;
  } catch (error) {
    if (awsErrorCode(error) === 'ResourceAlreadyExistsException') return false;
    return awsCall(`CreateProject ${spec.name}`, () => Promise.reject(error));
  }
}

export interface StartSpec {
  project: string;
  bucket: string;
  key: string;
  environmentType: ProjectSpec['environmentType'];
  image: string;
  computeType: ComputeType;
  variables: Record<string, string>;
  region: string;
}

export async function startBuild(codebuild: CodeBuildClient, spec: StartSpec): Promise<Build> {
  try {
    const { build } = await codebuild.send(
      new StartBuildCommand({
        projectName: spec.project,
        sourceTypeOverride: 'S3',
        sourceLocationOverride: `${spec.bucket}/${spec.key}`,
        // The bundle's own buildspec, even when the project defines one inline.
        buildspecOverride: 'buildspec.yml',
        environmentTypeOverride: spec.environmentType,
        imageOverride: spec.image,
        computeTypeOverride: spec.computeType,
        privilegedModeOverride: true,
        environmentVariablesOverride: Object.entries(spec.variables).map(([name, value]) => ({
          name,
          value,
          type: 'PLAINTEXT',
        })),
      }),
    );
    return build!;
  } catch (error) {
    if (awsErrorCode(error) === 'ResourceNotFoundException')
      throw new UserError(`CodeBuild project ${spec.project} does not exist in ${spec.region}`, {
        exitCode: ExitCode.awsError,
        hint: 'create it with --create-builder --role <codebuild-service-role-arn> (README: "Building on AWS CodeBuild")',
        cause: error,
      });
    return awsCall(`StartBuild ${spec.project}`, () => Promise.reject(error));
  }
}

export async function getBuild(codebuild: CodeBuildClient, id: string, signal: AbortSignal): Promise<Build> {
  const { builds } = await awsCall(`BatchGetBuilds ${id}`, () =>
    codebuild.send(new BatchGetBuildsCommand({ ids: [id] }), { abortSignal: signal }),
  );
  const build = builds?.[0];
  if (!build) throw new UserError(`CodeBuild has no build ${id}`, { exitCode: ExitCode.awsError });
  return build;
}

/** StopBuild with its own deadline: it runs after Ctrl-C aborted the command's signal. */
export async function stopBuild(codebuild: CodeBuildClient, id: string): Promise<void> {
  await awsCall(`StopBuild ${id}`, () =>
    codebuild.send(new StopBuildCommand({ id }), { abortSignal: AbortSignal.timeout(10_000) }),
  );
}

export interface LogCursor {
  startTime?: number;
  seen: Set<string>;
}

/** The build's log lines that arrived since the cursor, oldest first (every page of FilterLogEvents). */
export async function newLogLines(
  logs: CloudWatchLogsClient,
  location: { groupName: string; streamName: string },
  cursor: LogCursor,
  signal: AbortSignal,
): Promise<string[]> {
  const lines: string[] = [];
  // One query across its pages: the token is only valid with the start it was issued for.
  const startTime = cursor.startTime;
  let nextToken: string | undefined;
  do {
    const page = await awsCall(`FilterLogEvents ${location.groupName}`, () =>
      logs
        .send(
          new FilterLogEventsCommand({
            logGroupName: location.groupName,
            logStreamNames: [location.streamName],
            startTime,
            nextToken,
          }),
          { abortSignal: signal },
        )
        // The group and stream appear once the build has started writing; until then there is nothing to read.
        .catch((error: unknown) => {
          if (awsErrorCode(error) === 'ResourceNotFoundException') return { events: [], nextToken: undefined };
          throw error;
        }),
    );
    for (const event of page.events ?? []) {
      const id = event.eventId ?? `${event.timestamp}:${event.message}`;
      if (cursor.seen.has(id)) continue;
      cursor.seen.add(id);
      cursor.startTime = Math.max(cursor.startTime ?? 0, event.timestamp ?? 0);
      lines.push((event.message ?? '').replace(/\r?\n$/, ''));
    }
    nextToken = page.nextToken;
  } while (nextToken);
  return lines;
}
