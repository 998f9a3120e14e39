import { describe, expect, it } from 'vitest';
import { handlerName } from '../../../src/config/checks.js';

describe('the handler check of the config', () => {
  it('accepts what Lambda splits into module and export, an empty export name included', () => {
    // aws-lambda-ric reads "index." as module "index", export "": Runtime.HandlerNotFound, not a malformed name.
    for (const handler of ['index.handler', 'src/app.nested.fn', 'index.', 'index.nested.'])
      expect(handlerName(handler, 'handler'), handler).toEqual([]);
  });

  it('refuses what Lambda reports as Runtime.MalformedHandlerName, naming it', () => {
    expect(handlerName('index', 'handler')).toEqual([
      {
        path: 'handler',
        message: expect.stringMatching(
          /found "index": Lambda would fail every invocation with Runtime\.MalformedHandlerName/,
        ),
      },
    ]);
    expect(handlerName('index .handler', 'handler')).toHaveLength(1);
  });
});
