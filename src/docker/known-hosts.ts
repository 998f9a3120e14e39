// Checks an ssh engine's host key against OpenSSH's known_hosts files, as `ssh` does for `docker` over ssh://:
// ssh2 (dockerode's ssh transport) accepts any host key unless it is given a verifier.
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

interface KnownKey {
  type: string;
  key: Buffer;
  revoked: boolean;
}

export interface HostKeyCheck {
  /** For ssh2's `hostVerifier`: true when the key is known for this host (never when it is revoked). */
  verify(key: Buffer): boolean;
  /** Key types known for the host, so the handshake offers those first (OpenSSH orders them the same way). */
  knownTypes: string[];
  /** Why the last key was refused, for the one-line error. */
  refusal?: string;
}

/** The files `ssh` reads by default, user's first. */
export function knownHostsFiles(env: NodeJS.ProcessEnv): string[] {
  const ssh = join(env.HOME?.trim() || homedir(), '.ssh');
  return [join(ssh, 'known_hosts'), join(ssh, 'known_hosts2'), '/etc/ssh/ssh_known_hosts', '/etc/ssh/ssh_known_hosts2'];
}

/** "host" on port 22, "[host]:port" otherwise: how known_hosts names an address. */
const hostName = (host: string, port: number) => (port === 22 ? host : `[${host}]:${port}`);

function wildcard(pattern: string, name: string): boolean {
  const regex = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${regex}$`, 'i').test(name);
}

/** Whether one known_hosts host field (a comma list with wildcards and negations, or one hashed name) names `name`. */
function hostFieldMatches(field: string, name: string): boolean {
  if (field.startsWith('|1|')) {
    const [, , salt, hash] = field.split('|');
    if (!salt || !hash) return false;
    return createHmac('sha1', Buffer.from(salt, 'base64')).update(name).digest('base64') === hash;
  }
  let matched = false;
  for (const pattern of field.split(',')) {
    if (pattern.startsWith('!')) {
      if (wildcard(pattern.slice(1), name)) return false;
    } else if (wildcard(pattern, name)) matched = true;
  }
  return matched;
}

function keysFor(files: string[], name: string): KnownKey[] {
  const keys: KnownKey[] = [];
  for (const file of files) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    for (const raw of text.split('\n')) {
      const fields = raw.trim().split(/\s+/);
      if (!fields[0] || fields[0].startsWith('#')) continue;
      const marker = fields[0].startsWith('@') ? fields.shift() : undefined;
      const [hosts, type, base64] = fields;
      // @cert-authority lines sign host certificates, which ssh2 does not present: they never match a plain key.
      if (!hosts || !type || !base64 || marker === '@cert-authority' || !hostFieldMatches(hosts, name)) continue;
      keys.push({ type, key: Buffer.from(base64, 'base64'), revoked: marker === '@revoked' });
    }
  }
  return keys;
}

/** A host key check for `host:port` against `files`; `label` names the files in messages. */
export function hostKeyCheck(files: string[], host: string, port: number, label: string): HostKeyCheck {
  const name = hostName(host, port);
  const known = keysFor(files, name);
  const check: HostKeyCheck = {
    knownTypes: [...new Set(known.filter((k) => !k.revoked).map((k) => k.type))],
    verify(key) {
      if (known.some((k) => k.revoked && k.key.equals(key))) {
        check.refusal = `the host key of ${name} is marked @revoked in ${label}`;
        return false;
      }
      if (known.some((k) => !k.revoked && k.key.equals(key))) return true;
      check.refusal =
        known.length === 0
          ? `the host key of ${name} is not in ${label}; connect once with ssh to check and accept it`
          : `the host key of ${name} does not match ${label}; it may have been replaced: check it before trusting it`;
      return false;
    },
  };
  return check;
}
