// Looks local images up in the engine without building: the ID a reference names, and the images carrying a label.
import type Docker from 'dockerode';

/** The engine's ID for a reference (name:tag, name@digest or ID); undefined when the engine does not have it. */
export async function imageIdOf(docker: Docker, reference: string): Promise<string | undefined> {
  const info = await docker
    .getImage(reference)
    .inspect()
    .catch(() => undefined);
  return info?.Id;
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
