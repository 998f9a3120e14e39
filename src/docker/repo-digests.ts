// What the engine knows of an image's pushes: after a push (or pull) it records `<repository>@<digest>` in RepoDigests.
import type Docker from 'dockerode';

/** The image's RepoDigests; empty when the image is gone or was never pushed. */
export async function repoDigestsOf(docker: Docker, imageId: string): Promise<string[]> {
  const info = await docker
    .getImage(imageId)
    .inspect()
    .catch(() => undefined);
  return info?.RepoDigests ?? [];
}
