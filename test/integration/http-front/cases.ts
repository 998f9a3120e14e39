// The mapping cases the HTTP front is held to. Each expectation is AWS's documented behaviour, with its origin:
// [furl] docs.aws.amazon.com/lambda/latest/dg/urls-invocation.html (request and response payloads)
// [v2]   docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-lambda.html
//        (payload format 2.0: headers joined with commas, cookies array, inferred response format)
// [v1]   docs.aws.amazon.com/apigateway/latest/developerguide/set-up-lambda-proxy-integrations.html
//        (input format, output format, headers merged with multiValueHeaders)
// [err]  API Gateway's own answers: 502 for a function error or malformed result, 504 for a timeout.

export interface ResultCase {
  name: string;
  format: 'v1' | 'v2';
  origin: string;
  /** What the handler returns. */
  result: unknown;
  status: number;
  headers?: Record<string, string>;
  /** Expected Set-Cookie lines, in order. */
  setCookie?: string[];
  body: string | Buffer;
}

const PNG_BYTES = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0xff, 0xfe]);

export const RESULT_CASES: ResultCase[] = [
  {
    name: 'an object without statusCode is a 200 JSON answer',
    format: 'v2',
    origin: '[v2] response format: "API Gateway assumes" for valid JSON without statusCode',
    result: { id: 7, tags: ['a'] },
    status: 200,
    headers: { 'content-type': 'application/json' },
    body: '{"id":7,"tags":["a"]}',
  },
  {
    name: 'a string is the body as it is',
    format: 'v2',
    origin: '[v2]/[furl] response format: "Hello from Lambda!" becomes the body',
    result: 'Hello from Lambda!',
    status: 200,
    headers: { 'content-type': 'application/json' },
    body: 'Hello from Lambda!',
  },
  {
    name: 'a number without statusCode is inferred too',
    format: 'v2',
    origin: '[v2] any valid JSON without statusCode',
    result: 42,
    status: 200,
    body: '42',
  },
  {
    name: 'statusCode, headers and body are used as given',
    format: 'v2',
    origin: '[v2]/[furl] structured response',
    result: { statusCode: 201, headers: { 'X-Custom': 'one', 'Content-Type': 'text/plain' }, body: 'made' },
    status: 201,
    headers: { 'x-custom': 'one', 'content-type': 'text/plain' },
    body: 'made',
  },
  {
    name: 'cookies become one Set-Cookie line each',
    format: 'v2',
    origin: '[v2]/[furl] cookies in the response',
    result: { statusCode: 200, cookies: ['session=abc; Path=/; HttpOnly', 'theme=dark'], body: 'ok' },
    status: 200,
    setCookie: ['session=abc; Path=/; HttpOnly', 'theme=dark'],
    body: 'ok',
  },
  {
    name: 'isBase64Encoded bodies are sent as bytes',
    format: 'v2',
    origin: '[v2]/[furl] isBase64Encoded',
    result: {
      statusCode: 200,
      headers: { 'content-type': 'image/png' },
      body: PNG_BYTES.toString('base64'),
      isBase64Encoded: true,
    },
    status: 200,
    headers: { 'content-type': 'image/png' },
    body: PNG_BYTES,
  },
  {
    name: 'a statusCode alone is an empty answer',
    format: 'v2',
    origin: '[v2] body is optional',
    result: { statusCode: 204 },
    status: 204,
    body: '',
  },
  {
    name: 'a statusCode that is not a status is a malformed result',
    format: 'v2',
    origin: '[err] malformed Lambda proxy response',
    result: { statusCode: 'soon', body: 'x' },
    status: 502,
    body: '{"message":"Internal Server Error"}',
  },
  {
    name: 'headers and multiValueHeaders both reach the client',
    format: 'v1',
    origin: '[v1] output format',
    result: {
      statusCode: 200,
      headers: { 'X-One': '1' },
      multiValueHeaders: { 'Set-Cookie': ['a=1', 'b=2'] },
      body: 'both',
    },
    status: 200,
    headers: { 'x-one': '1' },
    setCookie: ['a=1', 'b=2'],
    body: 'both',
  },
  {
    name: 'a name in both lists takes the multi-value one',
    format: 'v1',
    origin: '[v1] "only the values from multiValueHeaders will appear in the merged list"',
    result: { statusCode: 200, headers: { 'X-A': 'single' }, multiValueHeaders: { 'X-A': ['m1', 'm2'] }, body: '' },
    status: 200,
    headers: { 'x-a': 'm1, m2' },
    body: '',
  },
  {
    name: 'a result without statusCode is malformed for the REST API',
    format: 'v1',
    origin: '[v1]/[err] REST proxy integrations infer nothing: 502 "Internal server error"',
    result: { id: 1 },
    status: 502,
    body: '{"message":"Internal server error"}',
  },
  {
    name: 'base64 bodies work in v1 too',
    format: 'v1',
    origin: '[v1] isBase64Encoded',
    result: {
      statusCode: 200,
      headers: { 'Content-Type': 'image/png' },
      body: PNG_BYTES.toString('base64'),
      isBase64Encoded: true,
    },
    status: 200,
    headers: { 'content-type': 'image/png' },
    body: PNG_BYTES,
  },
];
