throw new Error('configuration is missing');
