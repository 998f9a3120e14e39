#!/usr/bin/env -S node --
// `--` ends Node's own options: Node (20, 22, 24) reads --env-file anywhere in argv, even after the script,
// so without it `tslambda invoke-local --env-file x` would be taken by Node, not by tslambda.
// Starts the compiled CLI; `--version` is answered before anything heavy loads.
import { readFileSync } from 'node:fs';

const argv = process.argv.slice(2);
if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-v')) {
  process.stdout.write(`${JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).version}\n`);
} else {
  const { main } = await import('../dist/cli/process.js');
  await main(argv);
}
