const cjs = require('cjs-pkg');
const optional = require('peer-opt-pkg');

exports.cjs = async () => cjs.name();
exports.esm = async () => (await import('esm-pkg')).name();
exports.optionalPeer = async () => optional.describe();
