// @ts-nocheck -- not yet JSDoc-typed (merged from anyprogram before the deadline); remove once typed like the other runtime files.
'use strict';
// Lambda events ↔ HTTP for http-protocol programs: an API Gateway REST (v1), HTTP API (v2), Function URL or ALB event
// becomes the request it stands for, and the program's response becomes the integration response of the same
// format (text bodies as text, anything else base64); any other event is POSTed as JSON to `program.path`.

const { programError } = require('./program-process.cjs');

const TEXT_TYPE =
  /^(text\/|application\/(json|xml|javascript|x-www-form-urlencoded|graphql|yaml|x-yaml|ld\+json|problem\+json)|[^;]*\+(json|xml))/i;
// Headers that describe one hop of the connection, not the response.
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'content-length']);

/** What kind of event this is: 'v2' (HTTP API, Function URL), 'v1' (REST API, ALB) or 'event' (anything else). */
function kindOf(event) {
  if (event === null || typeof event !== 'object') return 'event';
  if (event.version === '2.0' && event.requestContext !== undefined && event.requestContext.http !== undefined)
    return 'v2';
  if (typeof event.httpMethod === 'string' && event.requestContext !== undefined) return 'v1';
  return 'event';
}

function bodyOf(event) {
  if (event.body === null || event.body === undefined) return Buffer.alloc(0);
  return Buffer.from(String(event.body), event.isBase64Encoded === true ? 'base64' : 'utf8');
}

/** `{method, path, headers, body}` for the program's server. */
function toRequest(kind, event, config) {
  if (kind === 'v2') {
    const headers = { ...event.headers };
    if (Array.isArray(event.cookies) && event.cookies.length > 0) headers.cookie = event.cookies.join('; ');
    const query = event.rawQueryString ? `?${event.rawQueryString}` : '';
    return {
      method: event.requestContext.http.method,
      path: `${event.rawPath || '/'}${query}`,
      headers,
      body: bodyOf(event),
    };
  }
  if (kind === 'v1') {
    const headers = {};
    for (const [name, value] of Object.entries(event.headers ?? {})) headers[name] = value;
    for (const [name, values] of Object.entries(event.multiValueHeaders ?? {})) headers[name] = values.join(', ');
    return { method: event.httpMethod, path: `${event.path || '/'}${queryOf(event)}`, headers, body: bodyOf(event) };
  }
  return {
    method: 'POST',
    path: config.path,
    headers: { 'content-type': 'application/json' },
    body: Buffer.from(JSON.stringify(event)),
  };
}

function queryOf(event) {
  const pairs = [];
  if (event.multiValueQueryStringParameters) {
    for (const [name, values] of Object.entries(event.multiValueQueryStringParameters))
      for (const v of values) pairs.push([name, v]);
  } else if (event.queryStringParameters) {
    for (const [name, value] of Object.entries(event.queryStringParameters)) pairs.push([name, value]);
  }
  if (pairs.length === 0) return '';
  return `?${pairs.map(([n, v]) => `${encodeURIComponent(n)}=${encodeURIComponent(v)}`).join('&')}`;
}

function isText(headers, body) {
  const type = headers['content-type'];
  if (headers['content-encoding'] !== undefined && headers['content-encoding'] !== 'identity') return false;
  if (typeof type === 'string') return TEXT_TYPE.test(type);
  const { isUtf8 } = require('buffer');
  return typeof isUtf8 === 'function' ? isUtf8(body) : Buffer.from(body.toString('utf8')).equals(body);
}

/** The integration response for the program's `{status, headers, body}` (headers as Node's rawHeaders pairs). */
function toResult(kind, request, response, config) {
  const { status, rawHeaders, body, headers } = response;
  if (kind === 'event') {
    const text = body.toString('utf8');
    if (status >= 400)
      throw programError('HttpError', `the program answered ${status} to POST ${config.path}: ${text.slice(0, 500)}`);
    if (text === '') return null;
    try {
      return JSON.parse(text);
    } catch {
      return text;
    }
  }
  const text = isText(headers, body);
  const result = {
    statusCode: status,
    headers: {},
    body: text ? body.toString('utf8') : body.toString('base64'),
    isBase64Encoded: !text,
  };
  const cookies = [];
  const multi = {};
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = rawHeaders[i].toLowerCase();
    if (HOP_BY_HOP.has(name)) continue;
    const value = rawHeaders[i + 1];
    (multi[name] ??= []).push(value);
    if (kind === 'v2' && name === 'set-cookie') cookies.push(value);
    else
      result.headers[name] =
        kind === 'v2' && result.headers[name] !== undefined ? `${result.headers[name]}, ${value}` : value;
  }
  if (kind === 'v2') result.cookies = cookies;
  else result.multiValueHeaders = multi;
  return result;
}

/** The status, headers and cookies that open a streamed HTTP response (awslambda.HttpResponseStream.from). */
function streamPrelude(response) {
  const prelude = { statusCode: response.status, headers: {}, cookies: [] };
  for (let i = 0; i < response.rawHeaders.length; i += 2) {
    const name = response.rawHeaders[i].toLowerCase();
    if (HOP_BY_HOP.has(name)) continue;
    if (name === 'set-cookie') prelude.cookies.push(response.rawHeaders[i + 1]);
    else prelude.headers[name] = response.rawHeaders[i + 1];
  }
  return prelude;
}

module.exports = { kindOf, toRequest, toResult, streamPrelude };
