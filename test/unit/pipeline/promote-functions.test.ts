// Which functions `promote` works on: the named ones of a project (by key or function name), else every one.
import { describe, expect, it } from 'vitest';
import type { ResolvedConfig } from '../../../src/config/types.js';
import { ExitCode } from '../../../src/core/errors.js';
import { functionsToPromote } from '../../../src/pipeline/promote.js';

const fn = (functionKey: string, functionName = functionKey) => ({ functionKey, functionName }) as ResolvedConfig;
const project = [fn('api'), fn('worker', 'shop-worker'), fn('cron')];

describe('functionsToPromote', () => {
  it('promotes every function of the project when none is named', () => {
    expect(functionsToPromote(project, []).map((f) => f.functionName)).toEqual(['api', 'shop-worker', 'cron']);
  });

  it('takes names by their key in "functions" or by their function name, in the order given', () => {
    expect(functionsToPromote(project, ['cron', 'shop-worker']).map((f) => f.functionKey)).toEqual(['cron', 'worker']);
    expect(functionsToPromote(project, ['worker']).map((f) => f.functionName)).toEqual(['shop-worker']);
  });

  it('refuses a name the project does not hold, listing the ones it does (exit 2)', () => {
    expect(() => functionsToPromote(project, ['api', 'nope'])).toThrow(
      expect.objectContaining({
        message: 'unknown function nope: this config deploys api, worker, cron',
        exitCode: ExitCode.usage,
      }),
    );
  });
});
