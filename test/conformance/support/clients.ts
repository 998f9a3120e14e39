// The two runtime clients under comparison, as processes against one Runtime API test server: AWS's official
// aws-lambda-ric (3.x up to Node 22, 4.x on Node 24, installed by scripts/fetch-ric.sh) and tslambda's loop.
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { BOOTSTRAP, startRuntime } from '../../runtime/support/runtime-process.js';
import { startContainer, type ContainerProcess } from './image.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

export const NODE_MAJORS = [18, 20, 22, 24] as const;
export type NodeMajor = (typeof NODE_MAJORS)[number];

/** The Node binary of one major version: .tmp/nodes/<major> (scripts/fetch-nodes.sh), or this process's node. */
export function nodeBinary(major: NodeMajor): string {
  const fetched = `${ROOT}.tmp/nodes/${major}/bin/node`;
  if (existsSync(fetched)) return fetched;
  if (Number(process.versions.node.split('.')[0]) === major) return process.execPath;
  throw new Error(`Node ${major} is missing (${fetched}): run scripts/fetch-nodes.sh`);
}

/** The aws-lambda-ric entry point Lambda runs on this Node major; throws, naming the fix, when not installed. */
export function ricEntry(major: NodeMajor): { line: 'ric3' | 'ric4'; entry: string; version: string } {
  const line = major >= 24 ? 'ric4' : 'ric3';
  const pkg = `${ROOT}.tmp/${line}/${major}/node_modules/aws-lambda-ric`;
  const entry = line === 'ric4' ? `${pkg}/index.mjs` : `${pkg}/bin/index.mjs`;
  if (!existsSync(entry))
    throw new Error(
      `aws-lambda-ric (${line === 'ric4' ? '4.x' : '3.x'}) for Node ${major} is not installed in ${pkg}: run scripts/fetch-ric.sh`,
    );
  const version = (JSON.parse(readFileSync(`${pkg}/package.json`, 'utf8')) as { version: string }).version;
  return { line, entry, version };
}

export type Client =
  | { kind: 'ric'; major: NodeMajor }
  | { kind: 'tslambda'; major: NodeMajor }
  /** tslambda's runtime inside an image, on the Node of the image's base; `env` is added to the function environment. */
  | { kind: 'image'; major: NodeMajor; image: string; env: Record<string, string> };

/** Starts a client on `taskRoot` (its cwd and LAMBDA_TASK_ROOT) with the function environment Lambda sets. */
export async function startClient(
  client: Client,
  api: string,
  taskRoot: string,
  handler: string,
): Promise<ContainerProcess> {
  const env = {
    AWS_LAMBDA_FUNCTION_NAME: 'conformance',
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '128',
    AWS_LAMBDA_LOG_GROUP_NAME: '/aws/lambda/conformance',
    AWS_LAMBDA_LOG_STREAM_NAME: 'stream',
    AWS_EXECUTION_ENV: `AWS_Lambda_nodejs${client.major}.x`,
  };
  if (client.kind === 'image')
    return startContainer({ image: client.image, taskRoot, handler, api, env: { ...env, ...client.env } });
  const node = nodeBinary(client.major);
  if (client.kind === 'tslambda') return startRuntime({ node, api, taskRoot, handler, env });
  const { entry } = ricEntry(client.major);
  // 3.x takes the handler as its argument, 4.x from _HANDLER: both are given.
  return startRuntime({ node, api, taskRoot, handler, env, script: entry, extraArgs: [handler] });
}

export { BOOTSTRAP };
