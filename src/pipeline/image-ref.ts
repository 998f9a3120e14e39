// Reads what `deploy --image` names: an image in a registry (host/repository@sha256:… or :tag), or a local image of
// the engine (a name without a registry host, or an image ID).
import { UserError } from '../core/errors.js';

export type ImageRef =
  | { kind: 'remote'; host: string; repository: string; tag?: string; digest?: string; text: string }
  | { kind: 'local'; name: string };

const DIGEST = /^sha256:[0-9a-f]{64}$/;
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const REPOSITORY = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/;

/** A first component with a dot or a port, or localhost, is a registry host (Docker's own rule). */
const isRegistryHost = (part: string) => part.includes('.') || part.includes(':') || part === 'localhost';

export function parseImageRef(text: string): ImageRef {
  const slash = text.indexOf('/');
  if (slash === -1 || !isRegistryHost(text.slice(0, slash))) return { kind: 'local', name: text };
  const host = text.slice(0, slash);
  let rest = text.slice(slash + 1);
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at !== -1) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!DIGEST.test(digest)) throw badRef(text, `"${digest}" is not a sha256 digest`);
  }
  let tag: string | undefined;
  const colon = rest.lastIndexOf(':');
  if (colon !== -1) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG.test(tag)) throw badRef(text, `"${tag}" is not a valid tag`);
  }
  if (!REPOSITORY.test(rest)) throw badRef(text, `"${rest}" is not a repository name`);
  if (!digest && !tag) tag = 'latest';
  return { kind: 'remote', host, repository: rest, tag, digest, text };
}

function badRef(text: string, why: string): UserError {
  return new UserError(`--image ${text}: ${why}`, {
    hint: 'name an image as <registry>/<repository>@sha256:<digest>, <registry>/<repository>:<tag>, or a local image',
  });
}

/** `<account>.dkr.ecr[-fips].<region>.amazonaws.com[.cn]`: the account and region of an ECR registry host. */
export function ecrRegistryOf(host: string): { accountId: string; region: string } | undefined {
  const match = /^(\d{12})\.dkr\.ecr(?:-fips)?\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?$/.exec(host);
  return match ? { accountId: match[1]!, region: match[2]! } : undefined;
}
