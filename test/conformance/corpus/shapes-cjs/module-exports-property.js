module.exports.handler = async (event) => ({ style: 'module.exports.handler =', got: event });
