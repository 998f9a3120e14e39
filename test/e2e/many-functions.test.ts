// A project of functions, two regions, one run: real engine, one real registry per region, the real SDK against the
// fake AWS (each region its own functions and ECR). Two functions share an image and run their own handlers.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExitCode } from '../../src/core/errors.js';
import { dockerForTests, suiteBaseImage } from '../support/docker.js';
import { type FakeAws, startFakeAws } from '../support/fake-aws/index.js';
import { startRegistry, type TestRegistry } from '../support/registry.js';
import { runCli, type CliResult } from '../support/run-cli.js';
import { runsWhen } from '../support/skips.js';
import { makeProject } from '../support/temp-project.js';

const { docker, reason } = await dockerForTests();
const REPOSITORY = `e2e-many-${randomBytes(3).toString('hex')}`;
const OLD_DIGEST = `sha256:${'0'.repeat(64)}`;
const WEST = 'eu-west-1';
const EAST = 'us-east-1';
let west: TestRegistry;
let east: TestRegistry;
let aws: FakeAws;
let home: string;
let project: string;
let env: NodeJS.ProcessEnv;

const tslambda = (args: string[]): Promise<CliResult> => runCli(args, { cwd: project, env });
const handler = (name: string) => `exports.handler = async (event) => ({ ran: ${JSON.stringify(name)}, event });\n`;

interface TargetJson {
  target: string;
  function: string;
  region: string;
  status: string;
  outcome?: string;
  digest?: string;
  imageUri?: string;
  error?: { message: string; exitCode: number };
}

describe(
  'a project of three functions in two regions (real engine + registries, fake AWS)',
  runsWhen('e2e many functions', reason),
  () => {
    beforeAll(async () => {
      [west, east] = await Promise.all([startRegistry(), startRegistry()]);
      aws = await startFakeAws({
        region: WEST,
        registry: { host: west.host, password: west.password },
        partitions: [{ region: EAST, registry: { host: east.host, password: east.password } }],
        docker: docker!,
      });
      home = await mkdtemp(join(tmpdir(), 'tslambda-home-'));
      env = { ...aws.env, HOME: home, DOCKER_CONFIG: undefined, AWS_PROFILE: undefined };
      // A second deploy must rebuild the very same image: a base of the suite's own (see suiteBaseImage).
      const baseImage = await suiteBaseImage(docker!, REPOSITORY);
      project = await makeProject({
        'lambda.config.json': JSON.stringify({
          repository: REPOSITORY,
          baseImage,
          regions: [WEST, EAST],
          functions: {
            api: { handler: 'api.handler', memorySize: 256 },
            worker: { handler: 'worker.handler', timeout: 30 },
            cron: { context: 'cron', handler: 'index.handler' },
          },
        }),
        'api.js': handler('api'),
        'worker.js': handler('worker'),
        'cron/index.js': handler('cron'),
      });
      for (const [region, registry] of [
        [WEST, west],
        [EAST, east],
      ] as const) {
        const at = aws.partition(region);
        at.ecr.addRepository(REPOSITORY);
        // worker is missing in us-east-1: that one target fails, the five others deploy.
        for (const name of region === WEST ? ['api', 'worker', 'cron'] : ['api', 'cron'])
          at.lambda.addFunction({ name, imageUri: `${registry.host}/${REPOSITORY}@${OLD_DIGEST}` });
      }
    });

    afterAll(async () => {
      await aws?.close();
      await Promise.all([west?.stop(), east?.stop()]);
      if (home) await rm(home, { recursive: true, force: true });
      // By name and by digest: an image whose tag moved on keeps only its digest reference.
      const ours = (refs: string[] | null | undefined) =>
        (refs ?? []).some((ref) => ref.includes(`/${REPOSITORY}`) || ref.startsWith(`${REPOSITORY}`));
      const images = (await docker!.listImages()).filter((image) => ours(image.RepoTags) || ours(image.RepoDigests));
      for (const image of images)
        await docker!
          .getImage(image.Id)
          .remove({ force: true })
          .catch(() => undefined);
    });

    it('deploys every target it can in one run, names the one that failed, and each function runs its own handler', async () => {
      // --no-bundle: api and worker ship the folder as written, so one image serves both handlers.
      const result = await tslambda(['deploy', '--all', '--no-bundle', '--tag', 'v1']);
      expect(result.exitCode, result.stderr).toBe(ExitCode.someTargetsFailed);
      // Off a terminal: each step a line prefixed by its target, then one line per target and the summary.
      expect(result.stderr).toMatch(/^\[worker eu-west-1\] ✔ Setting worker's handler to worker\.handler \(/m);
      expect(result.stderr).toContain('Deployed 6 targets: 5 succeeded, 1 failed, 0 not started');
      expect(result.stderr).toMatch(
        /^ {2}✖ worker us-east-1 +failed: function worker does not exist in us-east-1; tslambda updates existing functions only$/m,
      );
      expect(result.stderr.match(/^ {2}✔ (api|worker|cron) (eu-west-1|us-east-1) +updated /gm)).toHaveLength(5);
      expect(result.stderr).toContain(
        'error: 1 of 6 targets did not finish: worker us-east-1 (function worker does not exist in us-east-1',
      );
      // Built once per image, pushed once per image and region, whatever the number of functions.
      expect(result.stderr.match(/\] ✔ Building /g)).toHaveLength(2);
      expect(result.stderr.match(/\] ✔ Pushing /g)).toHaveLength(4);

      // api and worker run one image (one digest, in each region's own registry); cron, another folder, its own.
      const codeOf = (region: string, name: string) =>
        aws.partition(region).lambda.functions.get(name)?.code.ResolvedImageUri;
      const shared = codeOf(WEST, 'api')!.split('@')[1]!;
      expect(codeOf(WEST, 'api')).toBe(`${west.host}/${REPOSITORY}@${shared}`);
      expect(codeOf(WEST, 'worker')).toBe(`${west.host}/${REPOSITORY}@${shared}`);
      expect(codeOf(EAST, 'api')).toBe(`${east.host}/${REPOSITORY}@${shared}`);
      const cron = codeOf(WEST, 'cron')!.split('@')[1]!;
      expect(cron).not.toBe(shared);
      expect(codeOf(EAST, 'cron')).toBe(`${east.host}/${REPOSITORY}@${cron}`);
      // Two images in one repository: each tag names one of them, told apart by its first function.
      for (const registry of [west, east]) {
        expect((await registry.manifest(REPOSITORY, 'v1-api')).digest).toBe(shared);
        expect((await registry.manifest(REPOSITORY, 'v1-cron')).digest).toBe(cron);
      }

      // --json: one result per target and a summary; the healthy targets, deployed again, are up to date.
      const again = await tslambda(['deploy', 'api', 'cron', '--no-bundle', '--tag', 'v1', '--json']);
      expect(again.exitCode, again.stderr).toBe(ExitCode.ok);
      const out = JSON.parse(again.stdout) as { ok: boolean; targets: TargetJson[]; summary: Record<string, number> };
      expect(out).toMatchObject({ ok: true, summary: { succeeded: 4, failed: 0, notStarted: 0 } });
      expect(out.targets.map((t) => [t.target, t.status, t.outcome, t.digest])).toEqual([
        [`api ${WEST}`, 'succeeded', 'up to date', shared],
        [`api ${EAST}`, 'succeeded', 'up to date', shared],
        [`cron ${WEST}`, 'succeeded', 'up to date', cron],
        [`cron ${EAST}`, 'succeeded', 'up to date', cron],
      ]);
      // Nor is anything built or pushed: each image carries the hash of its build inputs, the engine recorded its
      // push to each region's repository, and the functions run it (plain lines, one per target, off a terminal).
      aws.calls.length = 0;
      const quiet = await tslambda(['deploy', 'api', 'cron', '--no-bundle', '--tag', 'v1']);
      expect(quiet.exitCode, quiet.stderr).toBe(ExitCode.ok);
      const said = `${quiet.stdout}${quiet.stderr}`;
      expect(said).not.toContain('Building ');
      expect(said).not.toContain('Pushing ');
      expect(said.match(/up to date: (api|cron) already runs sha256:\S+, built from the same inputs/g)).toHaveLength(4);
      expect(aws.operations()).not.toContain('UpdateFunctionCode');
      expect(aws.operations()).not.toContain('GetAuthorizationToken');

      // One changed file changes the inputs of the one image whose context holds it (api.js is in the root folder,
      // api and worker's; cron's folder does not hold it): that image alone is built, and pushed to each region.
      await writeFile(join(project, 'api.js'), `${handler('api')}// edited\n`);
      aws.calls.length = 0;
      const edited = await tslambda(['deploy', 'api', 'cron', '--no-bundle', '--tag', 'v1']);
      expect(edited.exitCode, edited.stderr).toBe(ExitCode.ok);
      expect(edited.stderr.match(/\] ✔ Building /g)).toEqual(['] ✔ Building ']);
      expect(edited.stderr).toMatch(/^\[api (eu-west-1|us-east-1)\] ✔ Building /m);
      expect(edited.stderr.match(/\] ✔ Pushing /g)).toHaveLength(2);
      expect(edited.stderr.match(/up to date: cron already runs/g)).toHaveLength(2);
      const updated = aws.calls.filter((c) => c.operation === 'UpdateFunctionCode').map((c) => c.input.FunctionName);
      expect(updated).toEqual(['api', 'api']);
      const editedApi = codeOf(WEST, 'api')!.split('@')[1]!;
      expect(editedApi).not.toBe(shared);
      expect(codeOf(EAST, 'api')).toBe(`${east.host}/${REPOSITORY}@${editedApi}`);
      expect(codeOf(WEST, 'cron')).toBe(`${west.host}/${REPOSITORY}@${cron}`);
      // worker was not deployed: it still runs the image it shared with api's first edition.
      expect(codeOf(WEST, 'worker')).toBe(`${west.host}/${REPOSITORY}@${shared}`);

      const westLambda = aws.partition(WEST).lambda;
      const commandOf = (name: string) =>
        (westLambda.functions.get(name)!.config.ImageConfigResponse as { ImageConfig?: { Command?: string[] } })
          ?.ImageConfig?.Command;
      expect([commandOf('api'), commandOf('worker'), commandOf('cron')]).toEqual([
        ['api.handler'],
        ['worker.handler'],
        undefined,
      ]);
      expect(aws.partition(EAST).lambda.functions.get('worker')).toBeUndefined();
      expect(aws.unexpected).toEqual([]);

      // Lambda (the fake runs the image for real, with ImageConfig.Command) runs each function's own handler.
      const client = new LambdaClient({ endpoint: aws.endpoint, region: WEST, credentials: aws.credentials });
      for (const name of ['api', 'worker', 'cron']) {
        const invoked = await client.send(new InvokeCommand({ FunctionName: name, Payload: Buffer.from('{"n":1}') }));
        expect(JSON.parse(Buffer.from(invoked.Payload!).toString())).toEqual({ ran: name, event: { n: 1 } });
      }
      client.destroy();

      // invoke-local on the pushed shared image runs the named function's handler too (built as deployed: --no-bundle).
      const local = await tslambda([
        'invoke-local',
        'worker',
        '--no-bundle',
        '--image',
        `${west.host}/${REPOSITORY}@${shared}`,
        '--data',
        '{"n":2}',
      ]);
      expect(local.exitCode, local.stderr).toBe(ExitCode.ok);
      expect(JSON.parse(local.stdout)).toEqual({ ran: 'worker', event: { n: 2 } });
    }, 240_000);

    it('waits for the ECR replica in a region the first region replicates to, instead of pushing twice', async () => {
      aws.calls.length = 0;
      const westEcr = aws.partition(WEST).ecr;
      westEcr.replicationConfiguration = {
        rules: [
          {
            destinations: [{ region: EAST, registryId: aws.accountId }],
            repositoryFilters: [{ filter: 'e2e-many', filterType: 'PREFIX_MATCH' }],
          },
        ],
      };
      await writeFile(join(project, 'api.js'), handler('api, second edition'));
      // ECR's replication, modelled: once the image is in the first region's registry, the replica shows in the other.
      let replicated: string | undefined;
      const replicator = setInterval(async () => {
        const manifest = await west.manifest(REPOSITORY, 'v2');
        if (manifest.status === 200 && !replicated) {
          replicated = manifest.digest!;
          aws.partition(EAST).ecr.addImage(REPOSITORY, replicated);
        }
      }, 200);
      try {
        const result = await tslambda(['deploy', 'api', '--no-bundle', '--tag', 'v2']);
        expect(result.exitCode, result.stderr).toBe(ExitCode.ok);
        expect(result.stderr.match(/\] ✔ Pushing /g)).toEqual(['] ✔ Pushing ']);
        expect(result.stderr).toMatch(
          /^\[api us-east-1\] ✔ Waiting for ECR to replicate sha256:[0-9a-f]{12} from eu-west-1/m,
        );
        expect(replicated).toMatch(/^sha256:/);
        expect(aws.partition(EAST).lambda.functions.get('api')!.code.ResolvedImageUri).toBe(
          `${east.host}/${REPOSITORY}@${replicated}`,
        );
        // Nothing was pushed to the second region's registry: the replica is ECR's to bring.
        expect((await east.manifest(REPOSITORY, replicated!)).status).toBe(404);
        expect(aws.operations().filter((op) => op === 'DescribeRegistry')).toEqual(['DescribeRegistry']);
        expect(aws.unexpected).toEqual([]);
      } finally {
        clearInterval(replicator);
        westEcr.replicationConfiguration = { rules: [] };
      }
    }, 240_000);
  },
);
