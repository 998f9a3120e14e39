// Preloaded by cli-start.mjs into every measured process: reports, on fd 3 as it exits, the CPU time it had used when
// it first wrote to stdout or stderr (or at exit, when it wrote nothing): the CPU counterpart of "time to the first
// byte", which the work a command does after its first line (a build, a retry) must not blur.
const { writeSync } = require('node:fs');

let atFirstOutput;
const mark = () => {
  if (atFirstOutput !== undefined) return;
  const { user, system } = process.cpuUsage();
  atFirstOutput = (user + system) / 1000;
};
for (const stream of [process.stdout, process.stderr]) {
  const write = stream.write;
  stream.write = function (...args) {
    mark();
    return write.apply(this, args);
  };
}
process.on('exit', () => {
  mark();
  writeSync(3, `${atFirstOutput}`);
});
