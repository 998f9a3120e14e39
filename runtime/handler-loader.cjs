'use strict';
// @ts-check
// Resolves a handler string (`path/to/module.export[.nested]`) under the task root and loads it the way the
// Lambda runtime for this Node version does (aws-lambda-ric 3.x up to Node 22, 4.x from Node 24); every failure
// becomes an InitError carrying the Runtime.* type to report on /init/error.

const fs = require('fs');
const path = require('path');
const { errorTypes } = require('./runtime-api.cjs');
const { ric4 } = require('./contract.cjs');
const { STREAMING } = require('./marks.cjs');

class InitError extends Error {
  /**
   * @param {string} errorType
   * @param {string} message
   * @param {unknown} [cause]
   */
  constructor(errorType, message, cause) {
    super(message);
    this.name = errorType;
    this.errorType = errorType;
    if (cause !== undefined) this.cause = cause;
  }
}

/**
 * Loads the module and returns the handler function (top-level await completes before this resolves).
 * @param {string} taskRoot
 * @param {string | undefined} handlerString
 * @returns {Promise<import('./marks.cjs').Handler>}
 */
async function loadHandler(taskRoot, handlerString) {
  const { moduleRoot, moduleName, exportPath } = parseHandler(handlerString);
  const file = path.resolve(taskRoot, moduleRoot, moduleName);
  let exported;
  try {
    exported = ric4
      ? await loadModule4(taskRoot, moduleRoot, moduleName, file)
      : await loadModule3(taskRoot, moduleRoot, moduleName, file);
  } catch (err) {
    throw classifyLoadError(err);
  }
  let value = ric4 ? findIn4(exported, exportPath) : findIn3(exported, exportPath);
  // 4.x only: a CommonJS module imported as ESM, or a bundle, may hold its exports under `default`.
  if (ric4 && !value && exported !== null && typeof exported === 'object' && 'default' in exported)
    value = findIn4(exported.default, exportPath);
  if (!value) throw new InitError(errorTypes.handlerNotFound, `${handlerString} is undefined or not exported`);
  if (typeof value !== 'function')
    throw new InitError(errorTypes.handlerNotFound, `${handlerString} is not a function`);
  if (ric4 && value.length >= 3 && !value[STREAMING])
    throw new InitError(errorTypes.callbackHandlerDeprecated, CALLBACK_DEPRECATED);
  return value;
}

const CALLBACK_DEPRECATED =
  'ERROR: AWS Lambda has removed support for callback-based function handlers starting with Node.js 24. You need to modify this function to use a supported handler signature to use Node.js 24 or later. For more information see https://docs.aws.amazon.com/lambda/latest/dg/nodejs-handler.html.';

// 3.x walks any truthy value (a function's properties too); 4.x walks objects only.
/**
 * @param {any} value
 * @param {string[]} exportPath
 * @returns {any}
 */
function findIn3(value, exportPath) {
  return exportPath.reduce((nested, key) => nested && nested[key], value);
}

/**
 * @param {any} value
 * @param {string[]} exportPath
 * @returns {any}
 */
function findIn4(value, exportPath) {
  return exportPath.reduce((nested, key) => (nested && typeof nested === 'object' ? nested[key] : undefined), value);
}

/** @param {unknown} handlerString */
function parseHandler(handlerString) {
  if (typeof handlerString !== 'string' || handlerString === '') {
    throw new InitError(
      errorTypes.malformedHandlerName,
      'no handler given: set _HANDLER or pass it as the first argument, e.g. index.handler',
    );
  }
  if (handlerString.includes('..')) {
    throw new InitError(
      errorTypes.malformedHandlerName,
      `'${handlerString}' is not a valid handler name. Use absolute paths when specifying root directories in handler names.`,
    );
  }
  const slash = handlerString.lastIndexOf('/');
  const moduleRoot = slash < 0 ? '' : handlerString.slice(0, slash);
  const match = /^([^.]*)\.(.*)$/.exec(handlerString.slice(slash + 1));
  if (match === null) throw new InitError(errorTypes.malformedHandlerName, 'Bad handler');
  return { moduleRoot, moduleName: match[1], exportPath: match[2].split('.') };
}

/**
 * 3.x: extensionless and .js files are required (.js imported under "type": "module"), then .mjs, .cjs, a package.
 * @param {string} taskRoot
 * @param {string} moduleRoot
 * @param {string} moduleName
 * @param {string} file
 * @returns {Promise<any>} the module's exports
 */
async function loadModule3(taskRoot, moduleRoot, moduleName, file) {
  if (fs.existsSync(file)) {
    const extensionless = require(file);
    if (extensionless) return extensionless;
  }
  const esm = fs.existsSync(`${file}.js`) && nearestPackageIsModule(path.dirname(file));
  if (!esm && fs.existsSync(`${file}.js`)) {
    const loaded = require(`${file}.js`);
    if (loaded) return loaded;
  }
  const loaded =
    (esm && (await importFile(`${file}.js`))) ||
    (fs.existsSync(`${file}.mjs`) ? await importFile(`${file}.mjs`) : undefined) ||
    (fs.existsSync(`${file}.cjs`) ? require(`${file}.cjs`) : undefined);
  if (loaded) return loaded;
  return require(require.resolve(moduleName, { paths: [taskRoot, moduleRoot] }));
}

/**
 * 4.x: the first of extensionless, .js, .mjs, .cjs that exists is imported; else a package, required.
 * @param {string} taskRoot
 * @param {string} moduleRoot
 * @param {string} moduleName
 * @param {string} file
 * @returns {Promise<any>} the module's exports
 */
async function loadModule4(taskRoot, moduleRoot, moduleName, file) {
  for (const extension of ['', '.js', '.mjs', '.cjs']) {
    if (fs.existsSync(file + extension)) {
      const loaded = await importFile(file + extension);
      if (loaded) return loaded;
    }
  }
  return require(require.resolve(moduleName, { paths: [taskRoot, path.join(taskRoot, moduleRoot)] }));
}

/** @param {string} file */
async function importFile(file) {
  const { pathToFileURL } = require('url');
  return import(pathToFileURL(file).href);
}

/**
 * @param {string} dir
 * @returns {boolean}
 */
function nearestPackageIsModule(dir) {
  for (let current = dir; ; ) {
    if (current.endsWith('/node_modules')) return false;
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

/** @param {any} err what loading threw */
function classifyLoadError(err) {
  if (err instanceof InitError) return err;
  if (err instanceof SyntaxError) return new InitError(errorTypes.userCodeSyntax, String(err), err);
  // Only require()'s code: an import() that cannot resolve (ERR_MODULE_NOT_FOUND) keeps its own type, as on Lambda.
  if (err !== null && typeof err === 'object' && err.code === 'MODULE_NOT_FOUND')
    return new InitError(errorTypes.importModule, String(err), err);
  return err; // the module threw while loading: reported with its own type
}

module.exports = { loadHandler, parseHandler, InitError };
