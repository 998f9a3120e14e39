throw new TypeError('cannot start');
export const handler = async () => 'never';
