'use strict';
// Resolves a handler string (`path/to/module.export[.nested]`) under the task root and loads it the way Lambda's
// Node runtime does: extensionless, then .js (CommonJS, or ESM under "type": "module"), .mjs, .cjs, then a
// package; every failure becomes an InitError carrying the Runtime.* type to report on /init/error.

const fs = require('fs');
const path = require('path');
const { errorTypes } = require('./runtime-api.cjs');

class InitError extends Error {
  constructor(errorType, message, cause) {
    super(message);
    this.name = errorType;
    this.errorType = errorType;
    if (cause !== undefined) this.cause = cause;
  }
}

/** Loads the module and returns the handler function (top-level await completes before this resolves). */
async function loadHandler(taskRoot, handlerString) {
  const { moduleRoot, moduleName, exportPath } = parseHandler(handlerString);
  const file = path.resolve(taskRoot, moduleRoot, moduleName);
  let exported;
  try {
    exported = await loadModule(taskRoot, moduleRoot, moduleName, file);
  } catch (err) {
    throw classifyLoadError(err);
  }
  let value = exported;
  for (const key of exportPath) {
    value = value === undefined || value === null ? undefined : value[key];
  }
  if (value === undefined) throw new InitError(errorTypes.handlerNotFound, `${handlerString} is undefined or not exported`);
  if (typeof value !== 'function') throw new InitError(errorTypes.handlerNotFound, `${handlerString} is not a function`);
  return value;
}

function parseHandler(handlerString) {
  if (typeof handlerString !== 'string' || handlerString === '') {
    throw new InitError(errorTypes.malformedHandlerName, 'no handler given: set _HANDLER or pass it as the first argument, e.g. index.handler');
  }
  if (handlerString.includes('..')) {
    throw new InitError(errorTypes.malformedHandlerName, `'${handlerString}' is not a valid handler name: '..' is not allowed, handlers must stay inside the task root`);
  }
  const slash = handlerString.lastIndexOf('/');
  const moduleRoot = slash < 0 ? '' : handlerString.slice(0, slash);
  const match = /^([^.]*)\.(.*)$/.exec(handlerString.slice(slash + 1));
  if (match === null || match[1] === '' || match[2] === '') {
    throw new InitError(errorTypes.malformedHandlerName, `'${handlerString}' is not a valid handler name: use path/to/module.export`);
  }
  const exportPath = match[2].split('.');
  if (exportPath.includes('')) {
    throw new InitError(errorTypes.malformedHandlerName, `'${handlerString}' is not a valid handler name: empty export name`);
  }
  return { moduleRoot, moduleName: match[1], exportPath };
}

async function loadModule(taskRoot, moduleRoot, moduleName, file) {
  if (isFile(file)) return require(file);
  const esm = nearestPackageIsModule(path.dirname(file));
  if (isFile(`${file}.js`)) return esm ? importFile(`${file}.js`) : require(`${file}.js`);
  if (isFile(`${file}.mjs`)) return importFile(`${file}.mjs`);
  if (isFile(`${file}.cjs`)) return require(`${file}.cjs`);
  // Neither a file nor a sibling with an extension: a directory with an index, or a package in node_modules.
  if (fs.existsSync(file)) return require(file);
  return require(require.resolve(moduleName, { paths: [path.join(taskRoot, moduleRoot), taskRoot] }));
}

async function importFile(file) {
  const { pathToFileURL } = require('url');
  return import(pathToFileURL(file).href);
}

function isFile(file) {
  try {
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

function nearestPackageIsModule(dir) {
  for (let current = dir; ; ) {
    let text;
    try {
      text = fs.readFileSync(path.join(current, 'package.json'), 'utf8');
    } catch {
      text = undefined;
    }
    if (text !== undefined) {
      try {
        return JSON.parse(text).type === 'module';
      } catch {
        return false;
      }
    }
    const parent = path.dirname(current);
    if (parent === current) return false;
    current = parent;
  }
}

function classifyLoadError(err) {
  if (err instanceof InitError) return err;
  if (err instanceof SyntaxError) return new InitError(errorTypes.userCodeSyntax, `${err.name}: ${err.message}`, err);
  const code = err !== null && typeof err === 'object' ? err.code : undefined;
  if (code === 'MODULE_NOT_FOUND' || code === 'ERR_MODULE_NOT_FOUND') {
    return new InitError(errorTypes.importModule, `${err.name}: ${err.message}`, err);
  }
  return err; // the module threw while loading: reported with its own type
}

module.exports = { loadHandler, parseHandler, InitError };
