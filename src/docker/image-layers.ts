// What an image's layers hold, read from the engine (image history and config), for reports such as the size a
// build step added: measured from the image the engine made, never assumed.
import type Docker from 'dockerode';

/** One step of an image's history as the engine reports it (classic builder or BuildKit wording). */
export interface HistoryStep {
  createdBy: string;
  size: number;
}

export async function imageHistory(docker: Docker, image: string): Promise<HistoryStep[]> {
  const steps: Array<{ CreatedBy?: string; Size?: number }> = await docker.getImage(image).history();
  return steps.map((step) => ({ createdBy: step.CreatedBy ?? '', size: step.Size ?? 0 }));
}

/**
 * The bytes the layers that COPY (or ADD) into `dir` added, or undefined when no step did. The classic builder
 * writes "COPY dir:<hash> in /dir/ ", BuildKit "COPY /src/ /dir/ # buildkit".
 */
export function bytesCopiedInto(history: HistoryStep[], dir: string): number | undefined {
  const target = dir.replace(/\/+$/, '');
  const copies = history.filter((step) => {
    const command = step.createdBy.replace(/\s*#\s*buildkit\s*$/, '').trim();
    if (!/(^|\s|\))(COPY|ADD)\s/.test(command)) return false;
    const destination = command.split(/\s+/).pop() ?? '';
    return destination.replace(/\/+$/, '') === target;
  });
  return copies.length > 0 ? copies.reduce((sum, step) => sum + step.size, 0) : undefined;
}

/** The value of an environment variable an image sets (its config's Env), when the image is in the engine. */
export async function imageEnvValue(docker: Docker, image: string, name: string): Promise<string | undefined> {
  const info = await docker
    .getImage(image)
    .inspect()
    .catch(() => undefined);
  const entry = info?.Config?.Env?.find((line) => line.startsWith(`${name}=`));
  return entry?.slice(name.length + 1);
}
