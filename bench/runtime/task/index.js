// The benchmark's handler: returns its event, so every response body must equal the event's bytes.
exports.handler = async (event) => event;
