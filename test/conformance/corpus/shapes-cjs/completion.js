// One export per completion style of Lambda's Node handler contract.
exports.asyncValue = async (event) => ({ got: event });
exports.callback = (event, context, callback) => callback(null, { via: 'callback', got: event });
exports.callbackLater = (event, context, callback) => {
  setTimeout(() => callback(null, 'later'), 20);
};
exports.callbackError = (event, context, callback) => callback(new TypeError('bad input'));
exports.callbackString = (event, context, callback) => callback('plain failure');
exports.callbackNoWait = (event, context, callback) => {
  context.callbackWaitsForEmptyEventLoop = false;
  setTimeout(() => {}, 50);
  callback(null, 'no wait');
};
exports.succeed = (event, context) => context.succeed({ via: 'succeed' });
exports.fail = (event, context) => context.fail(new Error('failed via context'));
exports.failEmpty = (event, context) => context.fail();
exports.done = (event, context) => context.done(null, 'done ok');
exports.doneError = (event, context) => context.done(new RangeError('done failed'));
exports.syncValue = () => 42;
exports.syncUndefined = () => undefined;
exports.syncThrow = () => {
  throw new Error('thrown synchronously');
};
exports.asyncUndefined = async () => undefined;
exports.asyncString = async () => 'just a string';
exports.asyncDate = async () => new Date(0);
exports.asyncFunction = async () => () => 1;
exports.asyncBigInt = async () => 1n;
exports.asyncCircular = async () => {
  const a = {};
  a.self = a;
  return a;
};
exports.throwPlainObject = async () => {
  throw { code: 'E_PLAIN', detail: 1 };
};
exports.throwString = async () => {
  throw 'a string';
};
exports.throwNumber = async () => {
  throw 7;
};
exports.rejectNull = () => Promise.reject(null);
exports.throwSubclass = async () => {
  class NotFound extends Error {}
  throw new NotFound('no such item');
};
exports.throwNamed = async () => {
  const error = new Error('named failure');
  error.name = 'ValidationError';
  throw error;
};
exports.notAFunction = 42;
exports.zero = 0;
