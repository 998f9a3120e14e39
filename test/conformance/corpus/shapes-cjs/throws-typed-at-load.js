// The module fails to load with an error that carries an errorType property of its own: the clients ignore it.
throw Object.assign(new Error('failed at load'), { errorType: 'Custom.Type' });
