// --inspect / --inspect-brk: the flag's forms as the command line reads them, and the node option they become.
import { describe, expect, it } from 'vitest';
import { parse } from '../../../src/cli/parse.js';
import { runCli } from '../../support/run-cli.js';
import { inspectFlag, inspectNodeOptions, inspectSettings } from '../../../src/local/execution/inspector.js';
import { debuggerInstructions, vscodeAttach } from '../../../src/commands/invoke-local/debugger.js';

const argsOf = (...words: string[]) => {
  const parsed = parse(['invoke-local', ...words]);
  if (parsed.kind !== 'command') throw new Error('not a command');
  return parsed;
};

describe('--inspect and --inspect-brk', () => {
  it('default to 127.0.0.1:9229 when bare, and take [host:]port', () => {
    expect(inspectSettings(argsOf('--inspect', '--data', '{}').args)).toEqual({
      host: '127.0.0.1',
      port: 9229,
      brk: false,
    });
    expect(inspectSettings(argsOf('--inspect=9333').args)).toEqual({ host: '127.0.0.1', port: 9333, brk: false });
    expect(inspectSettings(argsOf('--inspect-brk=0.0.0.0:9444').args)).toEqual({
      host: '0.0.0.0',
      port: 9444,
      brk: true,
    });
    expect(inspectSettings(argsOf('--data', '{}').args)).toBeUndefined();
  });

  it('refuses an address Node would not take, and both flags at once', async () => {
    const refused = await runCli(['invoke-local', '--inspect=host:99999']);
    expect(refused.exitCode).toBe(2);
    expect(refused.stderr).toContain(
      '--inspect: expected [HOST:]PORT such as 127.0.0.1:9229 or 9230, found "host:99999"',
    );
    expect(argsOf('--inspect', '--inspect-brk').problems).toEqual([
      { path: '--inspect', message: 'cannot be given with --inspect-brk; pass one of them' },
    ]);
  });

  it("becomes a node option added to the image's own, with source maps on and no earlier inspector flag", () => {
    const settings = { host: '127.0.0.1', port: 9229, brk: true };
    expect(inspectFlag(settings)).toBe('--inspect-brk=127.0.0.1:9229');
    expect(inspectFlag(settings, '0.0.0.0')).toBe('--inspect-brk=0.0.0.0:9229');
    expect(inspectNodeOptions('--enable-source-maps --max-old-space-size=100', '--inspect=127.0.0.1:1')).toBe(
      '--enable-source-maps --max-old-space-size=100 --inspect=127.0.0.1:1',
    );
    expect(inspectNodeOptions(undefined, '--inspect=127.0.0.1:1')).toBe('--enable-source-maps --inspect=127.0.0.1:1');
    expect(inspectNodeOptions('--inspect=0.0.0.0:1', '--inspect=127.0.0.1:2')).toBe(
      '--enable-source-maps --inspect=127.0.0.1:2',
    );
  });

  it('prints an attach configuration mapping the task root to the project, and says the timeout is off', () => {
    const settings = { host: '127.0.0.1', port: 9230, brk: false };
    const mapping = { localRoot: '/home/me/orders', remoteRoot: '/var/task', timeoutSeconds: 3 };
    expect(vscodeAttach(settings, mapping)).toMatchObject({
      type: 'node',
      request: 'attach',
      address: '127.0.0.1',
      port: 9230,
      localRoot: '/home/me/orders',
      remoteRoot: '/var/task',
      sourceMaps: true,
    });
    const text = debuggerInstructions(settings, mapping);
    expect(text).toContain("The function's timeout (3s) is off while the inspector runs");
    expect(text).toContain('chrome://inspect');
    const json = text.slice(text.indexOf('{'), text.lastIndexOf('}') + 1);
    expect(JSON.parse(json).configurations[0].remoteRoot).toBe('/var/task');
  });
});
