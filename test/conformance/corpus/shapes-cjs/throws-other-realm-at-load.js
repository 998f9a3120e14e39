// The module fails to load with an error made in another realm (a vm context): not `instanceof Error` here.
require('node:vm').runInNewContext("throw new TypeError('failed in another context at load')");
exports.handler = async () => 'never';
