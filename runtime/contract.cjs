'use strict';
// @ts-check
// Which handler contract this process follows, decided by the Node version it runs on, as Lambda does:
// nodejs18.x-22.x run aws-lambda-ric 3.x, nodejs24.x runs aws-lambda-ric 4.x (see README, "Runtime loop").

const NODE_MAJOR = Number(process.versions.node.split('.')[0]);

/**
 * 4.x: every file is loaded with import(), a handler missing from the module is looked up in its `default`
 * export, a handler taking a callback (3+ parameters) is refused at init, a synchronous return value is the
 * result, and the context has no succeed/fail/done.
 */
const ric4 = NODE_MAJOR >= 24;

module.exports = { NODE_MAJOR, ric4 };
