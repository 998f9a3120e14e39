// Vitest reporter: ends the run with one line naming every skipped group and why; in CI any skip fails the run.
import { relative } from 'node:path';
import type { Reporter, TestCase, TestModule } from 'vitest/node';
import type { SkipNote } from './skips.js';

/** Where a skipped test without a recorded reason belongs: its file and outer describe. */
function unexplained(test: TestCase, root: string): SkipNote {
  const suite = test.parent.type === 'suite' ? ` > ${test.parent.name}` : '';
  return {
    group: `${relative(root, test.module.moduleId)}${suite}`,
    reason: 'skipped without a recorded reason (use runsWhen from test/support/skips.ts)',
  };
}

export function summarizeSkips(notes: SkipNote[]): string {
  if (notes.length === 0) return 'skipped: none';
  const groups = new Map<string, { reason: string; count: number }>();
  for (const note of notes) {
    const key = `${note.group}\u0000${note.reason}`;
    const entry = groups.get(key) ?? { reason: note.reason, count: 0 };
    entry.count += 1;
    groups.set(key, entry);
  }
  const parts = [...groups].map(([key, { reason, count }]) => `${key.split('\u0000')[0]} (${count}): ${reason}`);
  return `skipped ${notes.length} tests: ${parts.join('; ')}`;
}

/** The name vitest matches `-t` against: the suite names and the test's, joined by spaces. */
function filterName(test: TestCase): string {
  const names = [test.name];
  for (let parent = test.parent; parent.type === 'suite'; parent = parent.parent) names.unshift(parent.name);
  return names.join(' ');
}

export default class SkipSummary implements Reporter {
  private root = process.cwd();
  private namePattern: RegExp | undefined;

  onInit(vitest: { config: { root: string; testNamePattern?: RegExp } }): void {
    this.root = vitest.config.root;
    this.namePattern = vitest.config.testNamePattern;
  }

  onTestRunEnd(modules: ReadonlyArray<TestModule>): void {
    const notes: SkipNote[] = [];
    for (const module of modules) {
      for (const test of module.children.allTests()) {
        if (test.result().state !== 'skipped') continue;
        // Tests left out by `-t` were not skipped for a reason of the machine's.
        if (this.namePattern && !this.namePattern.test(filterName(test))) continue;
        notes.push(test.meta().skipNote ?? unexplained(test, this.root));
      }
    }
    const line = summarizeSkips(notes);
    // CI (.ci/run) has made the machine ready, so a skipped test there is a missing prerequisite: fail.
    const failing = notes.length > 0 && (process.env.CI === 'true' || process.env.CI === '1');
    process.stdout.write(`\n${line}${failing ? ' — failing: CI allows no skipped test' : ''}\n`);
    if (failing) process.exitCode = 1;
  }
}
