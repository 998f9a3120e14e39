exports.run = () => 'UPPER';
