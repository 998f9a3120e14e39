async function handler(event) {
  return { style: 'module.exports = { handler }', got: event };
}
module.exports = { handler };
