'use strict';
// @ts-check
// Lambda events ↔ HTTP for http-protocol programs: an API Gateway REST (v1), HTTP API (v2), Function URL or ALB event
// becomes the request it stands for, and the program's response becomes the integration response of the same
// format (text bodies as text, anything else base64); any other event is POSTed as JSON to `program.path`.

const { programError } = require('./program-process.cjs');

/** @typedef {import('./program.cjs').ProgramConfig} ProgramConfig */
/** @typedef {'v1' | 'v2' | 'event'} EventKind */
/** @typedef {{ method: string, path: string, headers: Record<string, string>, body: Buffer }} ProgramRequest */
/**
 * The program's response, read whole.
 * @typedef {{ status: number, headers: import('http').IncomingHttpHeaders, rawHeaders: string[], body: Buffer }} ProgramResponse
 */
/**
 * An API Gateway / Function URL / ALB event, as far as it is read here (any other event is only serialized).
 * @typedef {{
 *   version?: string, httpMethod?: string, path?: string, rawPath?: string, rawQueryString?: string,
 *   headers?: Record<string, string>, multiValueHeaders?: Record<string, string[]>, cookies?: string[],
 *   queryStringParameters?: Record<string, string> | null,
 *   multiValueQueryStringParameters?: Record<string, string[]> | null,
 *   requestContext?: { http?: { method: string } }, body?: unknown, isBase64Encoded?: boolean
 * }} HttpEvent
 */

const TEXT_TYPE =
  /^(text\/|application\/(json|xml|javascript|x-www-form-urlencoded|graphql|yaml|x-yaml|ld\+json|problem\+json)|[^;]*\+(json|xml))/i;
// Headers that describe one hop of the connection, not the response.
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'content-length']);

/**
 * What kind of event this is: 'v2' (HTTP API, Function URL), 'v1' (REST API, ALB) or 'event' (anything else).
 * @param {unknown} value
 * @returns {EventKind}
 */
function kindOf(value) {
  if (value === null || typeof value !== 'object') return 'event';
  const event = /** @type {HttpEvent} */ (value);
  if (event.version === '2.0' && event.requestContext !== undefined && event.requestContext.http !== undefined)
    return 'v2';
  if (typeof event.httpMethod === 'string' && event.requestContext !== undefined) return 'v1';
  return 'event';
}

/** @param {HttpEvent} event */
function bodyOf(event) {
  if (event.body === null || event.body === undefined) return Buffer.alloc(0);
  return Buffer.from(String(event.body), event.isBase64Encoded === true ? 'base64' : 'utf8');
}

/**
 * `{method, path, headers, body}` for the program's server.
 * @param {EventKind} kind
 * @param {unknown} value the event
 * @param {Pick<ProgramConfig, 'path'>} config
 * @returns {ProgramRequest}
 */
function toRequest(kind, value, config) {
  const event = /** @type {HttpEvent} */ (value);
  if (kind === 'v2') {
    /** @type {Record<string, string>} */
    const headers = { ...event.headers };
    if (Array.isArray(event.cookies) && event.cookies.length > 0) headers.cookie = event.cookies.join('; ');
    const query = event.rawQueryString ? `?${event.rawQueryString}` : '';
    return {
      method: event.requestContext?.http?.method ?? 'GET',
      path: `${event.rawPath || '/'}${query}`,
      headers,
      body: bodyOf(event),
    };
  }
  if (kind === 'v1') {
    /** @type {Record<string, string>} */
    const headers = {};
    for (const [name, value] of Object.entries(event.headers ?? {})) headers[name] = value;
    for (const [name, values] of Object.entries(event.multiValueHeaders ?? {})) headers[name] = values.join(', ');
    return {
      method: event.httpMethod ?? 'GET',
      path: `${event.path || '/'}${queryOf(event)}`,
      headers,
      body: bodyOf(event),
    };
  }
  return {
    method: 'POST',
    path: config.path,
    headers: { 'content-type': 'application/json' },
    body: Buffer.from(JSON.stringify(value) ?? 'null'),
  };
}

/** @param {HttpEvent} event */
function queryOf(event) {
  /** @type {Array<[string, string]>} */
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

/**
 * @param {import('http').IncomingHttpHeaders} headers
 * @param {Buffer} body
 */
function isText(headers, body) {
  const type = headers['content-type'];
  if (headers['content-encoding'] !== undefined && headers['content-encoding'] !== 'identity') return false;
  if (typeof type === 'string') return TEXT_TYPE.test(type);
  const { isUtf8 } = require('buffer');
  return typeof isUtf8 === 'function' ? isUtf8(body) : Buffer.from(body.toString('utf8')).equals(body);
}

/**
 * The integration response for the program's `{status, headers, body}` (headers as Node's rawHeaders pairs).
 * @param {EventKind} kind
 * @param {ProgramRequest} request
 * @param {ProgramResponse} response
 * @param {Pick<ProgramConfig, 'path'>} config
 */
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
  /**
   * @type {{
   *   statusCode: number, headers: Record<string, string>, body: string, isBase64Encoded: boolean,
   *   cookies?: string[], multiValueHeaders?: Record<string, string[]>
   * }}
   */
  const result = {
    statusCode: status,
    headers: {},
    body: text ? body.toString('utf8') : body.toString('base64'),
    isBase64Encoded: !text,
  };
  /** @type {string[]} */
  const cookies = [];
  /** @type {Record<string, string[]>} */
  const multi = {};
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = /** @type {string} */ (rawHeaders[i]).toLowerCase();
    if (HOP_BY_HOP.has(name)) continue;
    const value = /** @type {string} */ (rawHeaders[i + 1]);
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

/**
 * The status, headers and cookies that open a streamed HTTP response (awslambda.HttpResponseStream.from).
 * @param {Pick<ProgramResponse, 'status' | 'rawHeaders'>} response
 */
function streamPrelude(response) {
  /** @type {{ statusCode: number, headers: Record<string, string>, cookies: string[] }} */
  const prelude = { statusCode: response.status, headers: {}, cookies: [] };
  for (let i = 0; i + 1 < response.rawHeaders.length; i += 2) {
    const name = /** @type {string} */ (response.rawHeaders[i]).toLowerCase();
    const value = /** @type {string} */ (response.rawHeaders[i + 1]);
    if (HOP_BY_HOP.has(name)) continue;
    if (name === 'set-cookie') prelude.cookies.push(value);
    else prelude.headers[name] = value;
  }
  return prelude;
}

module.exports = { kindOf, toRequest, toResult, streamPrelude };
