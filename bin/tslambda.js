#!/usr/bin/env -S node --
// `--` ends Node's own options: Node (20, 22, 24) reads --env-file anywhere in argv, even after the script,
// so without it `tslambda invoke-local --env-file x` would be taken by Node, not by tslambda.
// Starts the bundled CLI (dist/cli-bundle/, made by `npm run build`: scripts/build-cli.mjs). `--version` is answered
// here and `--help` from a bundle of the help alone, before anything heavy loads.
import { readFileSync } from 'node:fs';

const argv = process.argv.slice(2);
const help = argv.includes('--help') || argv.includes('-h') ? await helpFor(argv) : undefined;
if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-v')) {
  process.stdout.write(`${JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).version}\n`);
} else if (help !== undefined) {
  process.stdout.write(`${help}\n`);
} else {
  // Stacks under --verbose name the source files (src/…ts) rather than the bundle; maps are read only then.
  if (argv.includes('--verbose')) process.setSourceMapsEnabled(true);
  const { main } = await import('../dist/cli-bundle/cli.js');
  await main(argv);
}

/** The help text, or undefined when the flag comes after `--` (then it is not tslambda's). */
async function helpFor(args) {
  const { helpRequested } = await import('../dist/cli-bundle/help.js');
  return helpRequested(args);
}
