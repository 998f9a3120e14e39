class Greeter {
  constructor() {
    this.greeting = 'hello';
  }

  handler = async (event) => `${this.greeting} ${event.name}`;
}
module.exports = new Greeter();
