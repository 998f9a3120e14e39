// Preloaded with `node --import` by bench/deploy.mjs: lists push and deploy in the compiled CLI until
// src/cli/commands.ts does so itself (then this does nothing).
const { commands } = await import('../dist/cli/commands.js');
const { pushCommand } = await import('../dist/commands/push.js');
const { deployCommand } = await import('../dist/commands/deploy.js');
for (const command of [pushCommand, deployCommand]) if (!commands.some((c) => c.command === command.command)) commands.push(command);
