'use strict';
// @ts-check
// Starts the function's external extensions under `tslambda invoke-local` (each executable of a folder:
// /opt/extensions in an image), before the handler loads as on Lambda, and names them to the emulator so that
// init waits until each has registered. On Lambda the platform starts them itself: this runs only when asked.

const { spawn } = require('node:child_process');
const { readdirSync, statSync } = require('node:fs');
const { request } = require('node:http');
const { join } = require('node:path');

/** Must equal LAUNCHED_EXTENSIONS_PATH and EXITED_EXTENSION_PATH in src/local/api/extensions.ts (a test pins them). */
const LAUNCHED_PATH = '/tslambda/extensions/launched';
const EXITED_PATH = '/tslambda/extensions/exited';

/**
 * @param {string} dir
 * @returns {string[]} the executable files of the folder, in name order
 */
function executables(dir) {
  /** @type {string[]} */
  let names;
  try {
    names = readdirSync(dir).sort();
  } catch {
    return [];
  }
  return names.filter((name) => {
    try {
      const stat = statSync(join(dir, name));
      return stat.isFile() && (stat.mode & 0o111) !== 0;
    } catch {
      return false;
    }
  });
}

/**
 * @param {string} dirs one folder, or several separated by ':' (layers on the host: a later one wins a name)
 * @param {string} apiAddress host:port of the Runtime API
 * @param {NodeJS.ProcessEnv} env the environment the extensions get (the function's own)
 * @param {() => void} done called once the emulator knows the names (or could not be told)
 */
function launchExtensions(dirs, apiAddress, env, done) {
  /** @type {Map<string, string>} */
  const found = new Map();
  for (const dir of dirs.split(':')) for (const name of executables(dir)) found.set(name, join(dir, name));
  const names = [...found.keys()].sort();
  // Nothing to wait for: the emulator need not hear of it.
  if (names.length === 0) return done();
  for (const name of names) {
    const child = spawn(/** @type {string} */ (found.get(name)), [], { stdio: ['ignore', 'inherit', 'inherit'], env });
    // An extension that cannot start or ends is no longer waited for (Lambda would fail the environment).
    child.on('error', (error) => {
      process.stderr.write(`extension ${name} could not start: ${error.message}\n`);
      notify(apiAddress, EXITED_PATH, { name }, () => undefined);
    });
    child.on('exit', (code, signal) => {
      if (code !== 0) process.stderr.write(`extension ${name} exited with ${signal ?? `code ${code}`}\n`);
      notify(apiAddress, EXITED_PATH, { name }, () => undefined);
    });
    // The extensions live as long as the environment, not as long as this process's event loop needs them.
    child.unref();
  }
  notify(apiAddress, LAUNCHED_PATH, { names }, done);
}

/**
 * @param {string} apiAddress
 * @param {string} path
 * @param {object} message
 * @param {() => void} done
 */
function notify(apiAddress, path, message, done) {
  const at = apiAddress.lastIndexOf(':');
  const body = JSON.stringify(message);
  const req = request(
    {
      host: apiAddress.slice(0, at).replace(/^\[|\]$/g, ''),
      port: Number(apiAddress.slice(at + 1)),
      path,
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
    },
    (res) => {
      res.resume();
      res.on('end', done);
    },
  );
  req.on('error', () => done());
  req.end(body);
}

module.exports = { launchExtensions, LAUNCHED_PATH, EXITED_PATH };
