// The AWS shared config and credentials files: where they are, which profile is chosen, and the profile's region,
// read by the rules of the SDK's own loader without loading the SDK (it takes longer than the rest of start-up).
// test/unit/aws/shared-files.test.ts holds the reader to the SDK's region provider, file by file.
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';

export interface SharedFiles {
  /** The credentials file (AWS_SHARED_CREDENTIALS_FILE, else ~/.aws/credentials); the SDK's option name. */
  filepath: string;
  /** The config file (AWS_CONFIG_FILE, else ~/.aws/config). */
  configFilepath: string;
}

export function sharedFiles(env: NodeJS.ProcessEnv): SharedFiles {
  const home = env.HOME || env.USERPROFILE || homedir();
  return {
    filepath: env.AWS_SHARED_CREDENTIALS_FILE || join(home, '.aws', 'credentials'),
    configFilepath: env.AWS_CONFIG_FILE || join(home, '.aws', 'config'),
  };
}

/** --profile / config "profile", else AWS_PROFILE; undefined means the files' "default". */
export const chosenProfile = (env: NodeJS.ProcessEnv, profile?: string): string | undefined =>
  profile ?? (env.AWS_PROFILE || undefined);

/**
 * The profile's `region` as the SDK reads it (the credentials file's over the config file's), or undefined when the
 * files do not name one, or a path or profile name is one the SDK treats in its own way: then its loader decides.
 */
export async function profileRegion(files: SharedFiles, profile = 'default'): Promise<string | undefined> {
  // The SDK keeps its sections in plain objects, where a name such as "constructor" finds the prototype's.
  if (profile === '' || profile in Object.prototype) return undefined;
  if (files.filepath.startsWith('~/') || files.configFilepath.startsWith('~/')) return undefined;
  const [config, credentials] = await Promise.all([
    readSections(files.configFilepath, 'config'),
    readSections(files.filepath, 'credentials'),
  ]);
  return credentials.get(profile)?.get('region') ?? config.get(profile)?.get('region');
}

type Sections = Map<string, Map<string, string>>;

/** A file that cannot be read or parsed counts as empty, as it does for the SDK. */
async function readSections(path: string, kind: 'config' | 'credentials'): Promise<Sections> {
  try {
    return profilesOf(parseSections(await readFile(path, 'utf8')), kind);
  } catch {
    return new Map();
  }
}

/** `[profile name]` or `[sso-session name]`: a kind of section and its name (optionally quoted). */
const TYPED_SECTION = /^([\w-]+)\s(["'])?([\w\-@+.%:/]+)\2$/;
const SECTION_TYPES = ['profile', 'sso-session', 'services'];

/**
 * Sections by key (`default`, `profile dev` as `profile.dev`), each a map of its settings. A setting with an empty
 * value opens a sub-section: the indented settings after it are `sub.key`, so an S3 `region` there is not the
 * profile's. A section named like a prototype key makes the SDK refuse the whole file.
 */
function parseSections(text: string): Sections {
  const sections: Sections = new Map();
  let section: string | undefined;
  let sub: string | undefined;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.split(/(^|\s)[;#]/)[0]!.trim();
    if (line.startsWith('[') && line.endsWith(']')) {
      const name = line.slice(1, -1);
      if (name === '__proto__' || name === 'profile __proto__') throw new Error(`invalid profile name "${name}"`);
      const typed = TYPED_SECTION.exec(name);
      section = typed ? (SECTION_TYPES.includes(typed[1]!) ? `${typed[1]}.${typed[3]}` : undefined) : name;
      sub = undefined;
      continue;
    }
    const equals = line.indexOf('=');
    if (section === undefined || equals <= 0) continue;
    const key = line.slice(0, equals).trim();
    const value = line.slice(equals + 1).trim();
    if (value === '') {
      sub = key;
      continue;
    }
    if (sub !== undefined && raw.trimStart() === raw) sub = undefined;
    const settings = sections.get(section) ?? new Map<string, string>();
    sections.set(section, settings);
    settings.set(sub === undefined ? key : `${sub}.${key}`, value);
  }
  return sections;
}

/**
 * Profiles by name. The credentials file names them plainly; the config file as `[profile name]`, or `[default]`,
 * which a `[profile default]` replaces whole.
 */
function profilesOf(sections: Sections, kind: 'config' | 'credentials'): Sections {
  if (kind === 'credentials') return sections;
  const profiles: Sections = new Map();
  const plainDefault = sections.get('default');
  if (plainDefault) profiles.set('default', plainDefault);
  for (const [key, settings] of sections)
    if (key.startsWith('profile.')) profiles.set(key.slice('profile.'.length), settings);
  return profiles;
}
