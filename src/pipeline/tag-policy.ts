// Picks the image tag for a push: the one asked for, else the git short SHA (+ -dirty), else a UTC timestamp.
import { UserError } from '../core/errors.js';
import type { Output } from '../core/output.js';
import type { ResolvedConfig } from '../config/types.js';

export type TagSource = 'explicit' | 'git' | 'timestamp';

/** Docker's rule for a tag: word characters, dots and dashes, not starting with either, at most 128. */
const VALID_TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;

async function git(cwd: string, args: string[]): Promise<string | undefined> {
  // Loaded on first use: node:child_process and node:util cost start-up time before a deploy's first line.
  const [{ execFile }, { promisify }] = await Promise.all([import('node:child_process'), import('node:util')]);
  try {
    const { stdout } = await promisify(execFile)('git', args, {
      cwd,
      timeout: 5000,
      env: { ...process.env, GIT_OPTIONAL_LOCKS: '0' },
    });
    return stdout.trim();
  } catch {
    // Not a repository, no commits yet, or no git installed: the next rule applies.
    return undefined;
  }
}

/** 20261123-215500: sortable, and valid as a tag. */
export function timestampTag(now: Date): string {
  const iso = now.toISOString();
  return `${iso.slice(0, 10).replace(/-/g, '')}-${iso.slice(11, 19).replace(/:/g, '')}`;
}

export async function resolveTag(options: {
  explicit?: string;
  cwd: string;
  now?: Date;
}): Promise<{ tag: string; source: TagSource }> {
  if (options.explicit !== undefined) {
    if (!VALID_TAG.test(options.explicit)) {
      throw new UserError(`invalid image tag: ${JSON.stringify(options.explicit)}`, {
        hint: 'a tag has up to 128 letters, digits, "_", "." and "-", and does not start with "." or "-"',
      });
    }
    return { tag: options.explicit, source: 'explicit' };
  }
  const sha = await git(options.cwd, ['rev-parse', '--short', 'HEAD']);
  if (sha) {
    // Untracked files count: the image would not be reproducible from the commit either.
    const status = await git(options.cwd, ['status', '--porcelain']);
    return { tag: status ? `${sha}-dirty` : sha, source: 'git' };
  }
  return { tag: timestampTag(options.now ?? new Date()), source: 'timestamp' };
}

/** The release's tag for this config, and (with --verbose) where it came from. */
export async function chooseTag(
  config: Pick<ResolvedConfig, 'tag' | 'context'>,
  out: Pick<Output, 'debug'>,
): Promise<{ tag: string; source: TagSource }> {
  const chosen = await resolveTag({ explicit: config.tag, cwd: config.context });
  const from =
    chosen.source === 'explicit'
      ? '--tag / config "tag"'
      : chosen.source === 'git'
        ? 'the git commit'
        : 'the clock, UTC';
  out.debug(`image tag ${chosen.tag} (from ${from})`);
  return chosen;
}
