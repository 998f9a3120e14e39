// A file made in memory (a bundle, the runtime loop, a generated Dockerfile) on its way into a build context
// or a folder: the one shape the bundler produces and the image's context consumes.
export interface ContextFile {
  /** Path inside the build context, with forward slashes. */
  path: string;
  content: Buffer | string;
  mode?: number;
}
