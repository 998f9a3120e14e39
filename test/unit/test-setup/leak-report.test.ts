import { describe, expect, it } from 'vitest';
import { leaksBetween, summarizeLeaks } from '../../support/leak-report.js';

const state = (containers: string[], images: string[]) => ({
  containers: new Set(containers),
  images: new Set(images),
});

describe('the leak report', () => {
  it('names only what appeared during the run', () => {
    const before = state(['registry (registry:2)'], ['mine:latest']);
    const after = state(['registry (registry:2)', 'e2e-x (e2e-x:latest)'], ['mine:latest', 'e2e-x:latest']);
    const leaks = leaksBetween(before, after);
    expect(leaks).toEqual({ containers: ['e2e-x (e2e-x:latest)'], images: ['e2e-x:latest'] });
    expect(summarizeLeaks(leaks)).toBe('leaked 1 containers: e2e-x (e2e-x:latest); 1 images: e2e-x:latest');
  });

  it('says none when the run removed all it made', () => {
    const before = state([], ['a:1']);
    expect(summarizeLeaks(leaksBetween(before, state([], [])))).toBe('leaked: none');
  });
});
