// Looks local images up in the engine without building: the ID a reference names, the pushes the engine recorded
// for an image, and the images carrying a label.
import type Docker from 'dockerode';

/** The engine's inspection of an image; undefined when the engine does not have it. */
const inspected = (docker: Docker, reference: string) =>
  docker
    .getImage(reference)
    .inspect()
    .catch(() => undefined);

/** The engine's ID for a reference (name:tag, name@digest or ID); undefined when the engine does not have it. */
export async function imageIdOf(docker: Docker, reference: string): Promise<string | undefined> {
  return (await inspected(docker, reference))?.Id;
}

/**
 * The image's RepoDigests: after a push (or pull) the engine records `<repository>@<digest>` there. Empty when the
 * image is gone or was never pushed.
 */
export async function repoDigestsOf(docker: Docker, imageId: string): Promise<string[]> {
  return (await inspected(docker, imageId))?.RepoDigests ?? [];
}

export interface LabelledImage {
  id: string;
  /** `<repository>@<digest>` for each push (or pull) the engine recorded. */
  repoDigests: string[];
}

/** Every local image whose label `key` is exactly `value`, newest first. */
export async function imagesLabelled(docker: Docker, key: string, value: string): Promise<LabelledImage[]> {
  const images = await docker.listImages({ filters: JSON.stringify({ label: [`${key}=${value}`] }) });
  return images
    .filter((image) => image.Labels?.[key] === value)
    .sort((a, b) => b.Created - a.Created)
    .map((image) => ({ id: image.Id, repoDigests: image.RepoDigests ?? [] }));
}
