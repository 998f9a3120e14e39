exports.handler = async (event) => ({ ok: true, got: event });
exports.nested = { fn: async (event) => ({ nested: true, got: event }) };
