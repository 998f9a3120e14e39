// Where the runtime loop looks for extensions to start (runtime/extensions.cjs): a module of its own, so that
// the command sets it without loading the Extensions API server.
export const EXTENSIONS_DIR_ENV = '_TSLAMBDA_EXTENSIONS_DIR';
