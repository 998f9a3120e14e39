// An export whose name is the empty string: the handler "empty-export." names it, and aws-lambda-ric finds it.
exports[''] = async (event) => ({ emptyName: true, got: event });
