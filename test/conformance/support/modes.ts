// tslambda's ways of running a handler, each reduced to observations comparable with aws-lambda-ric's:
// `no-bundle` runs the loop over the corpus folder as is, `bundle` runs it over `tslambda bundle --out-dir`'s
// output, `no-docker` is `tslambda invoke-local --no-docker` (its own emulator, one event per process), `image` runs
// that output inside the default image on a real engine (Node 20 only: support/image.ts).
import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CORPUS_DIR, loadCorpus, type Case } from './corpus.js';
import { buildCasesImage, CASES_DIR, removeImages } from './image.js';
import { nodeBinary, type NodeMajor } from './clients.js';
import { BASE_IMAGE } from '../../support/docker.js';
import { comparableMessage, observe, type Observation } from './observe.js';

export const MODES = ['no-bundle', 'bundle', 'no-docker', 'image'] as const;
/** The Node majors a mode runs on: the image mode runs in the test base image, whose Node is 20. */
export const modeRunsOn = (mode: Mode, major: NodeMajor) => mode !== 'image' || major === IMAGE_NODE;
const IMAGE_NODE = 20;
export type Mode = (typeof MODES)[number];

const CLI = fileURLToPath(new URL('../../../bin/tslambda.js', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'tslambda-conformance-'));

export async function removeWork(): Promise<void> {
  rmSync(work, { recursive: true, force: true });
  if (image !== undefined)
    await removeImages(
      await image.then(
        (built) => built.names,
        () => [],
      ),
    );
}

/**
 * A private copy of the case's task root holding a lambda.config.json for it (the CLI reads its project from there).
 * Each call gets its own folder: modes and Node versions run concurrently, and a shared copy was rewritten while
 * another run was reading it.
 */
function projectFor(testCase: Case): string {
  mkdirSync(join(work, 'projects'), { recursive: true });
  const dir = mkdtempSync(join(work, 'projects', `${testCase.id}-`));
  cpSync(join(CORPUS_DIR, testCase.root), dir, { recursive: true });
  writeFileSync(
    join(dir, 'lambda.config.json'),
    JSON.stringify({ functionName: 'conformance', handler: testCase.handler }),
  );
  return dir;
}

function cli(args: string[], cwd: string, major: NodeMajor): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      nodeBinary(major),
      [CLI, ...args],
      { cwd, maxBuffer: 64 * 1024 * 1024, timeout: 120_000 },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : 1;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

type Bundled = { outDir: string; handler: string; bundled: boolean; nodeOptions?: string } | { failure: string };
const bundles = new Map<string, Promise<Bundled>>();

/** `tslambda bundle --out-dir` once per case (the bundle does not depend on the Node running it). */
function bundled(testCase: Case): Promise<Bundled> {
  let result = bundles.get(testCase.id);
  if (result === undefined) {
    result = (async () => {
      const project = projectFor(testCase);
      const outDir = join(work, 'bundles', testCase.id);
      const run = await cli(['bundle', '--out-dir', outDir, '--json'], project, 20);
      if (run.code !== 0)
        return { failure: `tslambda bundle exited ${run.code}: ${errorLine(run.stdout, run.stderr)}` };
      const doc = JSON.parse(run.stdout) as { handler: string; bundled: boolean; nodeOptions?: string };
      return {
        outDir,
        handler: doc.handler,
        bundled: doc.bundled,
        ...(doc.nodeOptions ? { nodeOptions: doc.nodeOptions } : {}),
      };
    })();
    bundles.set(testCase.id, result);
  }
  return result;
}

export async function observeMode(mode: Mode, major: NodeMajor, testCase: Case): Promise<Observation[]> {
  const client = { kind: 'tslambda' as const, major };
  if (mode === 'no-bundle') return observe(client, testCase, join(CORPUS_DIR, testCase.root));
  if (mode === 'bundle') {
    const bundle = await bundled(testCase);
    if ('failure' in bundle) return [{ kind: 'refused', message: bundle.failure }];
    return observe(client, { ...testCase, handler: bundle.handler }, bundle.outDir);
  }
  if (mode === 'image') return observeImage(major, testCase);
  return observeNoDocker(major, testCase);
}

let image: Promise<{ base: string; cases: string; names: string[] }> | undefined;

/** The default image of a trivial project, then one image with every case's bundle output on top: built once. */
export function casesImage(): Promise<{ base: string; cases: string; names: string[] }> {
  image ??= (async () => {
    const corpus = loadCorpus();
    const outputs: Array<{ id: string; outDir: string }> = [];
    // A few bundles at a time: each is a CLI process, and the machine is shared.
    for (let i = 0; i < corpus.length; i += 4) {
      const batch = await Promise.all(
        corpus.slice(i, i + 4).map(async (c) => ({ id: c.id, result: await bundled(c) })),
      );
      for (const { id, result } of batch) if (!('failure' in result)) outputs.push({ id, outDir: result.outDir });
    }
    const unique = `conformance-${process.pid}-${Date.now().toString(36)}`;
    const probe = join(work, 'image-probe');
    mkdirSync(probe, { recursive: true });
    writeFileSync(join(probe, 'tslambda-conformance-probe.js'), 'exports.handler = async () => null;\n');
    writeFileSync(
      join(probe, 'lambda.config.json'),
      JSON.stringify({ functionName: unique, handler: 'tslambda-conformance-probe.handler', baseImage: BASE_IMAGE }),
    );
    const built = await cli(['build', '--tag', 'probe', '--json'], probe, IMAGE_NODE);
    if (built.code !== 0)
      throw new Error(
        `tslambda build of the probe project exited ${built.code}: ${errorLine(built.stdout, built.stderr)}`,
      );
    const base = (JSON.parse(built.stdout) as { image: string }).image;
    const cases = await buildCasesImage(base, outputs, work, `${unique}-cases:latest`);
    return { base, cases, names: [cases, base] };
  })();
  return image;
}

/**
 * The case's bundle output run by the default image's entry point, its folder as task root; NODE_OPTIONS as the
 * generated Dockerfile sets it for this output (bundles only).
 */
async function observeImage(major: NodeMajor, testCase: Case): Promise<Observation[]> {
  const bundle = await bundled(testCase);
  if ('failure' in bundle) return [{ kind: 'refused', message: bundle.failure }];
  const { cases } = await casesImage();
  const client = { kind: 'image' as const, major, image: cases, env: { NODE_OPTIONS: bundle.nodeOptions ?? '' } };
  return observe(client, { ...testCase, handler: bundle.handler }, `${CASES_DIR}/${testCase.id}`);
}

/** invoke-local --no-docker: one process per event; an init failure is the invocation's error, as on Lambda. */
async function observeNoDocker(major: NodeMajor, testCase: Case): Promise<Observation[]> {
  const project = projectFor(testCase);
  const [event] = testCase.events ?? [{}];
  const run = await cli(['invoke-local', '--no-docker', '--data', JSON.stringify(event), '--json'], project, major);
  let doc: {
    ok: boolean;
    response?: unknown;
    error?: { response?: { errorType?: unknown; errorMessage?: unknown }; message?: string };
  };
  try {
    doc = JSON.parse(run.stdout);
  } catch {
    return [{ kind: 'refused', message: `invoke-local exited ${run.code}: ${firstLine(run.stdout + run.stderr)}` }];
  }
  if (doc.ok) return [{ kind: 'response', body: doc.response }];
  const body = doc.error?.response;
  if (body === undefined)
    return [{ kind: 'refused', message: `invoke-local exited ${run.code}: ${doc.error?.message ?? ''}` }];
  return [
    { kind: 'error', errorType: body.errorType, errorMessage: comparableMessage(body.errorMessage, testCase, project) },
  ];
}

/**
 * A handler that can never load may be refused before anything runs (issue 9: "refusing early"), provided the
 * one line names the failure Lambda reports: such a refusal stands for the reference's init error.
 */
export function acceptRefusal(reference: Observation[], want: Observation[], got: Observation[]): Observation[] {
  const [first] = got;
  const [init] = reference;
  if (
    got.length === 1 &&
    first.kind === 'refused' &&
    init?.kind === 'init' &&
    typeof init.errorType === 'string' &&
    first.message.includes(init.errorType)
  ) {
    return want;
  }
  return got;
}

/** What invoke-local shows for the reference's observations: the first event only, an init error as its error. */
export function asNoDockerReference(reference: Observation[]): Observation[] {
  const first = reference[0];
  if (first === undefined) return [];
  if (first.kind === 'init') return [{ ...first, kind: 'error' }];
  return [first];
}

/** The error line of a `--json` run (its `error.message`), else the first line of the output. */
function errorLine(stdout: string, stderr: string): string {
  try {
    const doc = JSON.parse(stdout) as { error?: { message?: string } };
    if (typeof doc.error?.message === 'string') return doc.error.message;
  } catch {
    // not JSON: fall through
  }
  return firstLine(stdout + stderr);
}

function firstLine(text: string): string {
  return text.trim().split('\n')[0] ?? '';
}
