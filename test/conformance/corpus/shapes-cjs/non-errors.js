// Thrown values that are not quite errors: aws-lambda-ric 3.x (Node 18-22) reports a native error, or anything
// with string name, message and stack, by its name; 4.x (Node 24) only what is `instanceof Error` in its realm.
const vm = require('node:vm');

const otherRealm = (source) => vm.runInNewContext(source);

exports.throwErrorShaped = async () => {
  throw { name: 'NotFound', message: 'no such item', stack: 'NotFound: no such item\n    at lookup (items.js:1:1)' };
};
exports.throwNameAndMessage = async () => {
  throw { name: 'NotFound', message: 'no such item' };
};
exports.throwOtherRealm = async () => {
  throw otherRealm("new TypeError('made in another context')");
};
exports.rejectOtherRealm = () => Promise.reject(otherRealm("new RangeError('rejected from another context')"));
exports.throwErrorPrototype = async () => {
  const error = Object.create(Error.prototype);
  error.message = 'made without the constructor';
  throw error;
};
exports.throwNameless = async () => {
  const error = new Error('an error without a name');
  error.name = undefined;
  throw error;
};
exports.throwStackless = async () => {
  const error = new Error('an error without a stack');
  error.stack = undefined;
  throw error;
};
exports.throwStringObject = async () => {
  throw new String('a boxed string');
};
