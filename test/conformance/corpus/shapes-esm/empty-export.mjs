// An export whose name is the empty string (an arbitrary module namespace name): "empty-export." names it.
const handler = async (event) => ({ emptyName: true, got: event });
export { handler as '' };
