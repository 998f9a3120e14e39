// Differential conformance: every corpus case runs through AWS's official runtime client (aws-lambda-ric 3.x on
// Node 18-22, 4.x on Node 24) and through each tslambda mode against the same Runtime API test server; response
// bodies, error types and error messages must be identical. Mode `image` (the default image on a real engine) runs
// on Node 20, the Node of the test base image. CONFORMANCE_NODES / CONFORMANCE_MODES (comma lists)
// narrow a local run; a missing aws-lambda-ric or Node fails the run (scripts/fetch-ric.sh installs them).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCorpus, type Case } from './support/corpus.js';
import { NODE_MAJORS, ricEntry, type NodeMajor } from './support/clients.js';
import {
  acceptRefusal,
  asNoDockerReference,
  casesImage,
  MODES,
  modeRunsOn,
  observeMode,
  removeWork,
  type Mode,
} from './support/modes.js';
import { dockerForTests } from '../support/docker.js';
import { runsWhen } from '../support/skips.js';
import { observe, type Observation } from './support/observe.js';
import { CORPUS_DIR } from './support/corpus.js';

const corpus = loadCorpus();
const majors = pick(process.env.CONFORMANCE_NODES, NODE_MAJORS.map(String)).map(Number) as NodeMajor[];
const modes = pick(process.env.CONFORMANCE_MODES, [...MODES]) as Mode[];

const references = new Map<string, Promise<Observation[]>>();
// The image mode needs an engine and the test base image: without them it is skipped, and the run's last line says why.
const engine = modes.includes('image') ? await dockerForTests() : {};

/** aws-lambda-ric's observations for a case on a Node major, computed once and shared by every mode. */
function reference(major: NodeMajor, testCase: Case): Promise<Observation[]> {
  const key = `${major}:${testCase.id}`;
  let result = references.get(key);
  if (result === undefined) {
    result = observe({ kind: 'ric', major }, testCase, `${CORPUS_DIR}${testCase.root}`);
    references.set(key, result);
  }
  return result;
}

afterAll(() => removeWork());

describe('the conformance corpus', () => {
  it('records the origin of every case and has no duplicate ids', () => {
    const ids = new Set<string>();
    for (const testCase of corpus) {
      expect(ids.has(testCase.id), testCase.id).toBe(false);
      ids.add(testCase.id);
      expect(testCase.origin.repository, testCase.id).toBeTruthy();
      if (testCase.origin.repository !== 'tslambda')
        expect(testCase.origin.commit, testCase.id).toMatch(/^[0-9a-f]{40}$/);
    }
  });
});

for (const major of majors) {
  describe(`Node ${major}`, () => {
    it(`has aws-lambda-ric ${major >= 24 ? '4.x' : '3.x'} installed`, () => {
      const { version } = ricEntry(major);
      expect(version).toMatch(major >= 24 ? /^4\./ : /^3\./);
    });
    for (const mode of modes.filter((m) => modeRunsOn(m, major))) {
      const skip = mode === 'image' ? runsWhen('conformance, mode image', engine.reason) : {};
      describe.concurrent(`mode ${mode}`, skip, () => {
        // Every case's bundle, then the one image holding them all, before the first case runs.
        if (mode === 'image') beforeAll(() => casesImage(), 900_000);
        for (const testCase of corpus) {
          it(testCase.id, { timeout: 120_000 }, async () => {
            ricEntry(major); // fails loudly when the reference is missing
            const expected = await reference(major, testCase);
            const want = mode === 'no-docker' ? asNoDockerReference(expected) : expected;
            const got = acceptRefusal(expected, want, await observeMode(mode, major, testCase));
            expect(got, describeCase(testCase, mode, major, want, got)).toEqual(want);
          });
        }
      });
    }
  });
}

function describeCase(
  testCase: Case,
  mode: Mode,
  major: NodeMajor,
  expected: Observation[],
  got: Observation[],
): string {
  return [
    `case ${testCase.id} (${testCase.root}/${testCase.handler}), mode ${mode}, Node ${major}`,
    `  aws-lambda-ric: ${JSON.stringify(expected)}`,
    `  tslambda:       ${JSON.stringify(got)}`,
  ].join('\n');
}

function pick(list: string | undefined, all: string[]): string[] {
  if (list === undefined || list.trim() === '') return all;
  const wanted = list.split(',').map((s) => s.trim());
  const unknown = wanted.filter((w) => !all.includes(w));
  if (unknown.length > 0) throw new Error(`unknown value(s) ${unknown.join(', ')}: choose from ${all.join(', ')}`);
  return wanted;
}
