// The type-check step (--typecheck): the project's own tsc --noEmit, stopping on type errors.
import type { ResolvedConfig } from '../config/types.js';
import { typecheckProject, type TypecheckResult } from '../bundle/typecheck.js';
import type { PipelineContext } from './context.js';

export function typecheckStep(
  ctx: Pick<PipelineContext, 'out' | 'signal'>,
  config: Pick<ResolvedConfig, 'configDir'>,
): Promise<TypecheckResult> {
  return ctx.out.step('Type checking (tsc --noEmit)', () => typecheckProject(config.configDir, ctx.signal));
}
