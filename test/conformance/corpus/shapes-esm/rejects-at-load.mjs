await Promise.reject(new Error('async init failed'));
export const handler = async () => 'never';
