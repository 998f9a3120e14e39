// The Node binaries the runtime contract suite runs on: the host's node plus Node 18, 22 and 24 as installed by
// scripts/fetch-nodes.sh into .tmp/nodes/<major>/bin/node.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { SuiteAPI } from 'vitest';
import { runsWhen } from '../../support/skips.js';

export interface NodeBinary {
  label: string;
  path: string;
  /** Why this binary cannot be used, when it cannot. */
  missing?: string;
}

const root = fileURLToPath(new URL('../../../', import.meta.url));

export function nodeBinaries(): NodeBinary[] {
  const host: NodeBinary = { label: `host node ${process.version}`, path: process.execPath };
  const fetched = ['18', '22', '24'].map((major): NodeBinary => {
    const path = `${root}.tmp/nodes/${major}/bin/node`;
    return existsSync(path)
      ? { label: `node ${major}`, path }
      : { label: `node ${major}`, path, missing: `${path} is missing: run scripts/fetch-nodes.sh` };
  });
  return [host, ...fetched];
}

/**
 * Registers `suite` once per usable binary. A missing binary is a failing test under CI=true (the CI runs
 * fetch-nodes.sh first) and a skipped group locally, whose reason the skip summary prints.
 * (`_skip` is kept so the call sites stay as they are; the skip goes through `describe`'s options.)
 */
export function forEachNode(
  describe: SuiteAPI,
  _skip: unknown,
  it: (name: string, fn: () => void) => void,
  suite: (node: NodeBinary) => void,
): void {
  for (const node of nodeBinaries()) {
    if (node.missing === undefined) {
      describe(node.label, () => suite(node));
    } else if (process.env.CI === 'true') {
      describe(node.label, () => {
        it('is installed', () => {
          throw new Error(node.missing);
        });
      });
    } else {
      describe(node.label, runsWhen(`runtime on ${node.label}`, node.missing), () => suite(node));
    }
  }
}
