const ready = await new Promise((resolve) => setTimeout(() => resolve('initialised'), 50));
export const handler = async () => ready;
