// Reads the config's "layers" for a build: a folder as it is, a layer version ARN through GetLayerVersion and a
// download of its zip (with the configured profile, in the ARN's region).
import { isAbsolute, resolve } from 'node:path';
import type { ResolvedConfig } from '../config/types.js';
import { readLayerFolder, readLayerZip, type Layer } from '../image/layers.js';

export interface LayerSourceContext {
  /** The command's environment: AWS settings for ARNs (never process.env). */
  env: NodeJS.ProcessEnv;
  signal?: AbortSignal;
}

export async function readLayers(config: ResolvedConfig, ctx: LayerSourceContext): Promise<Layer[]> {
  const layers: Layer[] = [];
  for (const source of config.layers ?? []) {
    if (source.startsWith('arn:')) {
      // The AWS SDK loads only for an ARN: every build imports this module, and the SDK would delay its first line.
      const [{ createAwsClients }, { downloadLayer, layerContentLocation, parseLayerArn }] = await Promise.all([
        import('../aws/clients.js'),
        import('../aws/layers.js'),
      ]);
      const lambda = createAwsClients({
        env: ctx.env,
        region: parseLayerArn(source).region,
        profile: config.profile,
        signal: ctx.signal,
      }).lambda;
      const location = await layerContentLocation(lambda, source);
      layers.push(readLayerZip(await downloadLayer(location, source, ctx.signal), source));
    } else {
      layers.push(await readLayerFolder(isAbsolute(source) ? source : resolve(config.configDir, source), source));
    }
  }
  return layers;
}

/** The folders of the layers that are folders, for --no-docker (a layer's extensions/ is started from there). */
export function layerFolders(config: ResolvedConfig): string[] {
  return (config.layers ?? [])
    .filter((source) => !source.startsWith('arn:'))
    .map((source) => (isAbsolute(source) ? source : resolve(config.configDir, source)));
}
