// The stdio benchmark program: answers each line with its event, as fast as a program can (so what is measured is
// the protocol and the loop, not the program).
const FRAME = '@tslambda {"result":';
let pending = '';
process.stdin.setEncoding('utf8').on('data', (chunk) => {
  pending += chunk;
  for (let end = pending.indexOf('\n'); end >= 0; end = pending.indexOf('\n')) {
    const line = pending.slice(0, end);
    pending = pending.slice(end + 1);
    process.stdout.write(`${FRAME}${line.slice(line.indexOf('},"event":') + 10, -1)}}\n`);
  }
});
