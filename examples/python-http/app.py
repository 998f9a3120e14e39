"""A Python standard-library HTTP server run on Lambda by tslambda's runtime loop (protocol "http").

API Gateway, HTTP API and Function URL events arrive as ordinary HTTP requests on PORT; the response goes back to
the caller as the integration response. Nothing here knows about Lambda.
"""
import json
import os
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class App(BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'

    def send(self, status, body, content_type='application/json'):
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        self.send_response(status)
        self.send_header('Content-Type', content_type)
        self.send_header('Content-Length', str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        path, _, query = self.path.partition('?')
        if path == '/health':
            return self.send(200, b'ok', 'text/plain')
        if path == '/slow':  # longer than the function's timeout: Lambda's timeout is shown
            time.sleep(float(query.partition('=')[2] or 10))
        if path == '/crash':  # the process dies: Runtime.ExitError, and a fresh server for the next request
            os._exit(3)
        if path == '/stream':  # chunks as they are written: with "stream": true the caller gets each as it comes
            return self.stream(['tick %d\n' % n for n in range(1, 4)])
        print('GET', self.path, flush=True)
        self.send(200, {'hello': query.partition('=')[2] or 'world', 'path': path})

    def stream(self, chunks):
        self.send_response(200)
        self.send_header('Content-Type', 'text/plain')
        self.send_header('Transfer-Encoding', 'chunked')
        self.end_headers()
        for chunk in chunks:
            data = chunk.encode()
            self.wfile.write(b'%x\r\n%s\r\n' % (len(data), data))
            self.wfile.flush()
            time.sleep(0.2)
        self.wfile.write(b'0\r\n\r\n')

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get('Content-Length', 0)))
        self.send(200, {'received': json.loads(body or b'null')})

    def log_message(self, *args):
        pass


ThreadingHTTPServer(('127.0.0.1', int(os.environ.get('PORT', 8080))), App).serve_forever()
