// The http benchmark program: a node:http server on PORT that answers each POSTed event with it.
const http = require('http');
http
  .createServer((req, res) => {
    if (req.method === 'GET') return res.end('ok');
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length });
      res.end(body);
    });
  })
  .listen(Number(process.env.PORT), '127.0.0.1');
