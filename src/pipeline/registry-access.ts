// Logs in to the ECR registries a copy reads from and writes to: a fresh GetAuthorizationToken per registry, used
// per request and never written anywhere (no ~/.docker). Decides which AWS identity can read a source image.
import type { ECRClient } from '@aws-sdk/client-ecr';
import { createAwsClients } from '../aws/clients.js';
import { getRegistryCredentials } from '../aws/ecr.js';
import { UserError } from '../core/errors.js';
import type { Output } from '../core/output.js';
import { RegistryClient } from '../docker/registry.js';
import type { AwsTarget } from './aws-target.js';
import { ecrRegistryOf, type ImageRef } from './image-ref.js';

/** A named target of the config, connected: where a promotion reads from or writes to. */
export interface NamedTarget {
  name: string;
  target: AwsTarget;
  /** The account the config says the target is in; checked against what AWS reports. */
  accountId?: string;
}

interface AccessContext {
  out: Pick<Output, 'debug'>;
  env: NodeJS.ProcessEnv;
  signal: AbortSignal;
}

/** A client for the ECR registry `registryId` (the caller's own when undefined), logged in with a fresh token. */
export async function ecrRegistry(
  ecr: ECRClient,
  registryId: string | undefined,
  ctx: AccessContext,
): Promise<RegistryClient> {
  const fetchCredentials = async () => {
    const credentials = await getRegistryCredentials(ecr, registryId);
    ctx.out.debug(`registry ${credentials.serverAddress}: user ${credentials.username}, password ****`);
    return credentials;
  };
  let first: Awaited<ReturnType<typeof fetchCredentials>> | undefined = await fetchCredentials();
  return new RegistryClient({
    endpoint: first.endpoint,
    // The token fetched to learn the endpoint serves the first request; a refusal asks for a fresh one.
    credentials: async () => {
      const credentials = first ?? (await fetchCredentials());
      first = undefined;
      return credentials;
    },
    signal: ctx.signal,
  });
}

/**
 * Who can read the source image: the named `from` target; else the deploy target itself when the image is in its
 * registry; else, for an ECR host, the same identity in the host's region (a cross-account pull needs the
 * repository's policy to allow it).
 */
export async function sourceRegistry(
  ref: Extract<ImageRef, { kind: 'remote' }>,
  deployTarget: { target: AwsTarget; registry: RegistryClient; profile?: string },
  from: NamedTarget | undefined,
  ctx: AccessContext,
): Promise<RegistryClient> {
  if (from) {
    const registryId = ecrRegistryOf(ref.host)?.accountId ?? from.accountId;
    const registry = await ecrRegistry(from.target.clients.ecr, registryId, ctx);
    if (registry.host !== ref.host)
      throw new UserError(`${ref.text} is not in the registry of target ${from.name} (${registry.host})`, {
        hint: `name the image by ${registry.host}/<repository>, or pick the target it lives in with --from`,
      });
    return registry;
  }
  if (deployTarget.registry.host === ref.host) return deployTarget.registry;
  const ecrHost = ecrRegistryOf(ref.host);
  if (!ecrHost)
    throw new UserError(`cannot log in to ${ref.host}: it is neither the target's ECR registry nor an ECR host`, {
      hint: 'name the config target whose ECR holds the image with --from <target>',
    });
  const clients = createAwsClients({
    env: ctx.env,
    region: ecrHost.region,
    profile: deployTarget.profile,
    signal: ctx.signal,
  });
  return ecrRegistry(clients.ecr, ecrHost.accountId, ctx);
}
