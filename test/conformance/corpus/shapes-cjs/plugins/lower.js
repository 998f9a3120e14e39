exports.run = () => 'lower';
