// A node base image made on this machine, through the engine API: FROM scratch, the host's node binary and the
// shared libraries it links against (as scripts/base-image.sh does), for machines that cannot pull one.
import { spawnSync } from 'node:child_process';
import { readFileSync, realpathSync } from 'node:fs';
import tarStream from 'tar-stream';

const DOCKERFILE = 'FROM scratch\nCOPY rootfs/ /\nENV PATH=/usr/local/bin:/usr/bin:/bin NODE_VERSION_SOURCE=host\n';

/** The tag the local base gets: one per Node major, as base images are named. */
export const localBaseTag = () => `tslambda-local-base:node${process.versions.node.split('.')[0]}`;

/** Every library the node binary links against, and the dynamic loader, as absolute paths. */
function linkedLibraries(nodeBinary) {
  const ldd = spawnSync('ldd', [nodeBinary], { encoding: 'utf8' });
  if (ldd.status !== 0)
    throw new Error(`ldd cannot list the libraries of ${nodeBinary}${ldd.error ? ` (${ldd.error.message})` : ''}`);
  return [...new Set(ldd.stdout.match(/\/[^\s)]+/g) ?? [])];
}

function contextTar(nodeBinary) {
  const pack = tarStream.pack();
  const file = (name, content, mode = 0o644) => pack.entry({ name, mode }, content);
  file('Dockerfile', DOCKERFILE);
  file('rootfs/usr/local/bin/node', readFileSync(nodeBinary), 0o755);
  for (const lib of linkedLibraries(nodeBinary)) file(`rootfs${lib}`, readFileSync(realpathSync(lib)), 0o755);
  file('rootfs/etc/passwd', 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n');
  file('rootfs/etc/group', 'root:x:0:\nnobody:x:65534:\n');
  pack.entry({ name: 'rootfs/tmp', type: 'directory', mode: 0o1777 });
  pack.finalize();
  return pack;
}

/** Builds `tag` from the running node; rejects with the engine's message when the build fails. */
export async function buildLocalNodeBase(docker, tag = localBaseTag()) {
  if (process.platform !== 'linux')
    throw new Error(`this machine's node is a ${process.platform} binary, not a Linux one`);
  const nodeBinary = realpathSync(process.execPath);
  const stream = await docker.buildImage(contextTar(nodeBinary), { t: tag, rm: true, forcerm: true });
  await new Promise((resolve, reject) => {
    docker.modem.followProgress(stream, (error, events) => {
      const failed = error ?? events.find((event) => event.error);
      if (failed) reject(new Error(failed.error ?? failed.message));
      else resolve();
    });
  });
  return tag;
}
