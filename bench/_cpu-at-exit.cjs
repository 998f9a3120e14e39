// Preloaded by cli-start.mjs into every measured process: reports the CPU time it used, on fd 3, as it exits.
process.on('exit', () => {
  const { user, system } = process.cpuUsage();
  require('node:fs').writeSync(3, `${(user + system) / 1000}`);
});
