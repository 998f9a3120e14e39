exports.handler = async () => ({ from: 'a/b/c.js' });
