// The package's own version, read once from package.json without loading anything else.
import { readFileSync } from 'node:fs';

export const packageVersion: string = JSON.parse(
  readFileSync(new URL('../../package.json', import.meta.url), 'utf8'),
).version;
