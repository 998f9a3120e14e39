const os = require('os');
export const handler = async () => os.platform();
