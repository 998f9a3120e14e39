// The pieces of `tslambda logs` that need no AWS: --since, line colouring, the --json shape, and the fake's framing and patterns.
import { describe, expect, it } from 'vitest';
import { parseSince, renderLine, toJsonEvent } from '../../../src/commands/logs.js';
import { streamVersion } from '../../../src/aws/logs.js';
import { crc32, encodeMessage } from '../../support/fake-aws/event-stream.js';
import { matchesPattern } from '../../support/fake-aws/logs.js';

/** The escape that starts an ANSI colour. */
const ESC = '\u001b';

describe('--since', () => {
  const now = Date.parse('2026-12-01T12:00:00Z');
  it('reads durations before now and ISO dates; anything else is undefined', () => {
    expect(parseSince('30s', now)).toBe(now - 30_000);
    expect(parseSince('10m', now)).toBe(now - 600_000);
    expect(parseSince('2h', now)).toBe(now - 7_200_000);
    expect(parseSince('1d', now)).toBe(now - 86_400_000);
    expect(parseSince('2026-12-01T08:00:00Z', now)).toBe(Date.parse('2026-12-01T08:00:00Z'));
    expect(parseSince('2026-12-01', now)).toBe(Date.parse('2026-12-01'));
    for (const bad of ['10', 'm', 'yesterday', '10 minutes', '2026-13-45'])
      expect(parseSince(bad, now), bad).toBeUndefined();
  });
});

describe('lines', () => {
  it('print as written without colour; on a terminal platform lines are dimmed, REPORT cyan, errors red', () => {
    const start = 'START RequestId: 1f0e Version: $LATEST\n';
    expect(renderLine(start, false)).toBe('START RequestId: 1f0e Version: $LATEST');
    expect(renderLine(start, true)).toBe('\u001b[90mSTART RequestId: 1f0e Version: $LATEST\u001b[39m');
    expect(renderLine('REPORT RequestId: 1f0e\tDuration: 2.1 ms', true)).toMatch(new RegExp(`^${ESC}\\[36m`));
    expect(renderLine('2026-12-01T12:00:00.000Z\t1f0e\tERROR\tInvoke Error', true)).toMatch(
      new RegExp(`^${ESC}\\[31m`),
    );
    expect(renderLine('{"time":"…","type":"platform.start","record":{}}', true)).toMatch(new RegExp(`^${ESC}\\[90m`));
    expect(renderLine('{"level":"ERROR","message":"boom"}', true)).toMatch(new RegExp(`^${ESC}\\[31m`));
    expect(renderLine('2026-12-01T12:00:00.000Z\t1f0e\tINFO\tfine', true)).toBe(
      '2026-12-01T12:00:00.000Z\t1f0e\tINFO\tfine',
    );
  });

  it('--json carries time, stream, version and the message without its newline', () => {
    const stream = '2026/12/01/[7]abc';
    expect(streamVersion(stream)).toBe('7');
    expect(streamVersion('2026/12/01/[$LATEST]abc')).toBe('$LATEST');
    expect(toJsonEvent({ timestamp: 0, message: 'hi\n', logStreamName: stream }, '7')).toEqual({
      time: '1970-01-01T00:00:00.000Z',
      timestamp: 0,
      logStreamName: stream,
      version: '7',
      message: 'hi',
    });
  });
});

describe('fake CloudWatch Logs', () => {
  it('frames event stream messages with the standard CRC32 (check value of "123456789")', () => {
    expect(crc32(Buffer.from('123456789'))).toBe(0xcbf43926);
    const message = encodeMessage({ ':message-type': 'event' }, Buffer.from('{}'));
    expect(message.readUInt32BE(0)).toBe(message.length);
    expect(message.readUInt32BE(8)).toBe(crc32(message.subarray(0, 8)));
    expect(message.readUInt32BE(message.length - 4)).toBe(crc32(message.subarray(0, message.length - 4)));
  });

  it('matches filter patterns as CloudWatch reads text: all terms, quoted phrases, ?alternatives, -exclusions', () => {
    expect(matchesPattern('ERROR', 'an ERROR here')).toBe(true);
    expect(matchesPattern('ERROR timeout', 'ERROR only')).toBe(false);
    expect(matchesPattern('"Task timed out"', 'Task timed out after 3.00 seconds')).toBe(true);
    expect(matchesPattern('?timeout ?Error', 'a TypeError: x')).toBe(true);
    expect(matchesPattern('?timeout ?Error', 'all fine')).toBe(false);
    expect(matchesPattern('ERROR -health', 'ERROR health check')).toBe(false);
  });
});
