const fs = require('fs');
const path = require('path');
const config = require('./config.json');

exports.dirname = async () => fs.readFileSync(path.join(__dirname, 'data', 'greeting.txt'), 'utf8').trim();
exports.taskRoot = async () => fs.readFileSync(path.join(process.env.LAMBDA_TASK_ROOT, 'data', 'greeting.txt'), 'utf8').trim();
exports.json = async () => config;
exports.dynamicRequire = async (event) => require(path.join(__dirname, 'plugins', event.plugin)).run();
