// Removes an image a rebuild replaced (invoke-local --watch), so a day of saves does not leave hundreds of dangling images.
import type Docker from 'dockerode';

/**
 * Removes `id` when no tag names it any more; a tagged image (someone's), one in use, or one already gone is
 * left alone. Untagged parent layers only it used go with it, as with `docker rmi`.
 */
export async function discardReplacedImage(docker: Docker, id: string): Promise<boolean> {
  const image = docker.getImage(id);
  const info = await image.inspect().catch(() => undefined);
  if (!info) return false;
  if ((info.RepoTags ?? []).some((tag) => tag !== '<none>:<none>')) return false;
  return image.remove().then(
    () => true,
    () => false,
  );
}
