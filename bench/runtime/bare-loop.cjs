'use strict';
// The "bare" Runtime API loop the benchmark compares against: the obvious minimal client, node:http with a
// keep-alive agent, GET /next → handler → POST /response, no error handling beyond the happy path.

const http = require('http');
const path = require('path');

const [host, port] = process.env.AWS_LAMBDA_RUNTIME_API.split(':');
const taskRoot = process.env.LAMBDA_TASK_ROOT || process.cwd();
const [file, name] = (process.env._HANDLER || process.argv[2]).split('.');
const handler = require(path.resolve(taskRoot, file))[name];
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
const base = '/2018-06-01/runtime/invocation';

function next() {
  http.get({ host, port, path: `${base}/next`, agent }, (res) => {
    const chunks = [];
    res.on('data', (chunk) => chunks.push(chunk));
    res.on('end', async () => {
      const id = res.headers['lambda-runtime-aws-request-id'];
      const event = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      const body = JSON.stringify(await handler(event, { awsRequestId: id }));
      const req = http.request(
        {
          host,
          port,
          agent,
          method: 'POST',
          path: `${base}/${id}/response`,
          headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) },
        },
        (answer) => {
          answer.resume();
          answer.on('end', next);
        },
      );
      req.end(body);
    });
  });
}

next();
