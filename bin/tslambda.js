#!/usr/bin/env -S node --
// `--` ends Node's own options: Node (20, 22, 24) reads --env-file anywhere in argv, even after the script,
// so without it `tslambda invoke-local --env-file x` would be taken by Node, not by tslambda.
// Starts the bundled CLI (dist/cli-bundle/, made by `npm run build`: scripts/build-cli.mjs); `--version` is answered
// before anything heavy loads.
import { readFileSync } from 'node:fs';

const argv = process.argv.slice(2);
if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-v')) {
  process.stdout.write(`${JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).version}\n`);
} else {
  // Stacks under --verbose name the source files (src/…ts) rather than bundle chunks; maps are read only then.
  if (argv.includes('--verbose')) process.setSourceMapsEnabled(true);
  const { main } = await import('../dist/cli-bundle/cli.js');
  await main(argv);
}
