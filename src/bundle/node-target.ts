// Works out which Node major a base image runs, so the bundle targets exactly that version.

export const DEFAULT_NODE_MAJOR = 20;

/**
 * Reads the Node major from an image reference: `node:22-slim`, `public.ecr.aws/lambda/nodejs:20`,
 * `tslambda-test-base:node20`, `node:lts` (unknown → the default). A guess from the name, never a pull.
 */
export function nodeMajorOfImage(image: string): number {
  const reference = image.toLowerCase().split('@')[0]!;
  const patterns = [
    /(?:^|\/)node(?:js)?:v?(\d+)/, // official images: the tag starts with the version
    /node(?:js)?[-_]?v?(\d+)/, // a version written next to "node" anywhere
  ];
  for (const pattern of patterns) {
    const major = Number(pattern.exec(reference)?.[1]);
    if (major >= 14 && major < 100) return major;
  }
  return DEFAULT_NODE_MAJOR;
}
