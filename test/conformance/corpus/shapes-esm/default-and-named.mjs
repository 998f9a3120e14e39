export default { handler: async () => 'from default' };
export const named = async () => 'from named';
