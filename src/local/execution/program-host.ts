// invoke-local --no-docker for a `program` handler: the same runtime loop on the host, told what to run through
// TSLAMBDA_PROGRAM as the image's Dockerfile tells it, with the shipped adapters found where this package keeps them.
import type { ProgramConfig } from '../../config/program.js';
import { programEnvValue } from '../../config/program.js';
import { RUNTIME_IMAGE_DIR, RUNTIME_SOURCE_DIR } from '../../image/runtime-asset.js';
import type { RuntimeLauncher } from './launcher.js';

/** The environment that makes the host runtime loop run the program (adapter paths mapped to this package). */
export function programHostEnv(program: ProgramConfig): Record<string, string> {
  const inImage = `${RUNTIME_IMAGE_DIR}/`;
  const command = program.command.map((part) =>
    part.startsWith(inImage) ? `${RUNTIME_SOURCE_DIR}${part.slice(inImage.length)}` : part,
  );
  return { TSLAMBDA_PROGRAM: programEnvValue({ ...program, command }) };
}

/** A host launcher of the runtime loop, made to run the program (the loop reads TSLAMBDA_PROGRAM at start). */
export function programHostLauncher(launcher: RuntimeLauncher, program: ProgramConfig): RuntimeLauncher {
  const env = programHostEnv(program);
  return { start: (request) => launcher.start({ ...request, env: { ...request.env, ...env } }) };
}
