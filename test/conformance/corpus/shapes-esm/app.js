export const handler = async (event) => ({ esm: 'js under type module', got: event });
