exports.handler = async () => 'cjs under type module';
