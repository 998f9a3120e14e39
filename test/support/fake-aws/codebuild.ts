// The fake CodeBuild (JSON 1.1): CreateProject, StartBuild, BatchGetBuilds, StopBuild. A started build really runs,
// in ./codebuild-runner.ts: its buildspec's phases in bash against the machine's engine; see README.md beside this file
// for what differs from CodeBuild.
import { AwsFault, type Reply } from './protocol.js';
import { type BuildRecord, runBuild, type RunnerContext } from './codebuild-runner.js';

export const CODEBUILD_TARGET_PREFIX = 'CodeBuild_20161006.';

export interface FakeProject {
  name: string;
  arn: string;
  source: { type: string; location?: string };
  environment: { type: string; image: string; computeType: string; privilegedMode?: boolean };
  serviceRole: string;
  artifacts: { type: string };
}

export class FakeCodeBuild {
  static readonly operations = ['CreateProject', 'StartBuild', 'BatchGetBuilds', 'StopBuild'];
  readonly projects = new Map<string, FakeProject>();
  readonly builds = new Map<string, BuildRecord>();

  constructor(readonly context: RunnerContext) {}

  addProject(name: string, settings: Partial<FakeProject> = {}): FakeProject {
    const { region, accountId } = this.context;
    const project: FakeProject = {
      name,
      arn: `arn:aws:codebuild:${region}:${accountId}:project/${name}`,
      source: { type: 'S3', location: 'bucket/source.zip' },
      environment: {
        type: 'LINUX_CONTAINER',
        image: 'aws/codebuild/amazonlinux-x86_64-standard:5.0',
        computeType: 'BUILD_GENERAL1_SMALL',
        privilegedMode: true,
      },
      serviceRole: `arn:aws:iam::${accountId}:role/codebuild`,
      artifacts: { type: 'NO_ARTIFACTS' },
      ...settings,
    };
    this.projects.set(name, project);
    return project;
  }

  handle(operation: string, input: Record<string, unknown>): Reply | undefined {
    switch (operation) {
      case 'CreateProject':
        return this.createProject(input);
      case 'StartBuild':
        return this.startBuild(input);
      case 'BatchGetBuilds':
        return this.batchGetBuilds(input);
      case 'StopBuild':
        return this.stopBuild(input);
      default:
        return undefined;
    }
  }

  /** Waits for every running build to end (tests call it before they look at the engine and the registry). */
  async settled(): Promise<void> {
    await Promise.all([...this.builds.values()].map((build) => build.done));
  }

  /** Stops every build still running (reset, close). */
  async stopAll(): Promise<void> {
    for (const build of this.builds.values()) build.stop();
    await this.settled();
  }

  private createProject(input: Record<string, unknown>): Reply {
    const name = input.name;
    if (typeof name !== 'string' || !/^[A-Za-z0-9][A-Za-z0-9_-]{1,254}$/.test(name))
      throw new AwsFault(400, 'InvalidInputException', 'Invalid project name');
    if (this.projects.has(name))
      throw new AwsFault(400, 'ResourceAlreadyExistsException', `Project already exists: ${name}`);
    const source = input.source as FakeProject['source'] | undefined;
    const environment = input.environment as FakeProject['environment'] | undefined;
    if (!source?.type || !environment?.type || !environment.image || !environment.computeType)
      throw new AwsFault(
        400,
        'InvalidInputException',
        'source and environment (type, image, computeType) are required',
      );
    if (typeof input.serviceRole !== 'string' || !input.serviceRole.startsWith('arn:'))
      throw new AwsFault(400, 'InvalidInputException', 'Invalid service role: serviceRole must be a role ARN');
    const project = this.addProject(name, {
      source,
      environment,
      serviceRole: input.serviceRole,
      artifacts: (input.artifacts as FakeProject['artifacts']) ?? { type: 'NO_ARTIFACTS' },
    });
    return { status: 200, body: { project: { ...project, created: Date.now() / 1000 } } };
  }

  private startBuild(input: Record<string, unknown>): Reply {
    const name = String(input.projectName ?? '');
    const project = this.projects.get(name);
    const { region, accountId } = this.context;
    if (!project)
      throw new AwsFault(
        400,
        'ResourceNotFoundException',
        `Project cannot be found: arn:aws:codebuild:${region}:${accountId}:project/${name}`,
      );
    const type = String(input.environmentTypeOverride ?? project.environment.type);
    if (type !== 'LINUX_CONTAINER' && type !== 'ARM_CONTAINER')
      throw new AwsFault(400, 'InvalidInputException', `environment type ${type} is not modelled by the fake`);
    const variables = (input.environmentVariablesOverride as Array<{ name: string; value: string }> | undefined) ?? [];
    const build = runBuild(this.context, {
      project: name,
      number: [...this.builds.values()].filter((b) => b.view.projectName === name).length + 1,
      sourceLocation: String(input.sourceLocationOverride ?? project.source.location ?? ''),
      environment: {
        type,
        image: String(input.imageOverride ?? project.environment.image),
        computeType: String(input.computeTypeOverride ?? project.environment.computeType),
        privilegedMode: Boolean(input.privilegedModeOverride ?? project.environment.privilegedMode),
      },
      variables: Object.fromEntries(variables.map((v) => [v.name, v.value])),
      buildspecOverride: typeof input.buildspecOverride === 'string' ? input.buildspecOverride : undefined,
    });
    this.builds.set(build.view.id, build);
    return { status: 200, body: { build: build.view } };
  }

  private batchGetBuilds(input: Record<string, unknown>): Reply {
    const ids = (input.ids as string[] | undefined) ?? [];
    if (ids.length === 0 || ids.length > 100)
      throw new AwsFault(400, 'InvalidInputException', 'ids: 1 to 100 build ids');
    const builds = ids.flatMap((id) => {
      const build = this.builds.get(id);
      return build ? [build.view] : [];
    });
    return { status: 200, body: { builds, buildsNotFound: ids.filter((id) => !this.builds.has(id)) } };
  }

  private stopBuild(input: Record<string, unknown>): Reply {
    const build = this.builds.get(String(input.id));
    if (!build) throw new AwsFault(400, 'ResourceNotFoundException', `Build not found: ${String(input.id)}`);
    build.stop();
    return { status: 200, body: { build: build.view } };
  }
}
