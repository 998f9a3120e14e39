// What the Node stage of a program's image added (issue 14: "the size added is reported by build"): measured from
// the built image's history in the engine, with the Node version its source image declares.
import type Docker from 'dockerode';
import type { ResolvedConfig } from '../config/types.js';
import { bytesCopiedInto, imageEnvValue, imageHistory } from '../docker/image-layers.js';
import { DEFAULT_NODE_IMAGE, PROGRAM_NODE_DIR } from '../image/program-dockerfile.js';

export interface NodeStageReport {
  /** Bytes of the layer(s) that copied Node and its libraries to /opt/tslambda/node. */
  bytes: number;
  /** The image the stage copied from, as the config names it. */
  nodeImage: string;
  /** NODE_VERSION of that image (the official Node images set it), when the engine has it. */
  nodeVersion?: string;
}

/** The Node stage's share of a program's image; undefined for a Node handler or a base whose own node is used. */
export async function nodeStageReport(
  docker: Docker,
  image: string,
  config: Pick<ResolvedConfig, 'program'>,
): Promise<NodeStageReport | undefined> {
  const { program } = config;
  if (!program || (program.node !== undefined && program.node !== 'stage')) return undefined;
  const bytes = bytesCopiedInto(await imageHistory(docker, image), PROGRAM_NODE_DIR);
  if (bytes === undefined) return undefined;
  const nodeImage = program.nodeImage ?? DEFAULT_NODE_IMAGE;
  const nodeVersion = await imageEnvValue(docker, nodeImage, 'NODE_VERSION');
  return { bytes, nodeImage, ...(nodeVersion ? { nodeVersion } : {}) };
}
