const missing = require('not-installed-anywhere');
exports.handler = async () => missing;
