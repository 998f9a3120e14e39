exports.handler = async (event) => {
  return event +;
};
