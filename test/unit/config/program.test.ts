// The `program` config key: checked with every problem at once, each under its key path.
import { describe, expect, it } from 'vitest';
import { validateConfig } from '../../../src/config/schema.js';
import { programEnvValue } from '../../../src/config/program.js';

describe('program config', () => {
  it('accepts each protocol with its keys', () => {
    expect(validateConfig({ functionName: 'f', program: { command: ['python3', 'w.py'] } })).toEqual([]);
    expect(
      validateConfig({
        functionName: 'f',
        program: { command: ['./server'], protocol: 'http', port: 3000, healthPath: '/up', path: '/ev', stream: true },
      }),
    ).toEqual([]);
    expect(
      validateConfig({
        functionName: 'f',
        program: { command: ['bash', 'h.sh'], protocol: 'exec', node: '/usr/local/bin/node' },
      }),
    ).toEqual([]);
  });

  it('reports every problem under program.<key>', () => {
    const problems = validateConfig({
      program: { command: 'python3 w.py', protocol: 'grpc', port: 70000, healthPath: 'up', colour: 1, node: 'node' },
    });
    expect(problems.map((p) => p.path).sort()).toEqual([
      'program.colour',
      'program.command',
      'program.healthPath',
      'program.node',
      'program.port',
      'program.protocol',
    ]);
    expect(problems.find((p) => p.path === 'program.command')!.message).toBe(
      'expected a non-empty array of strings, e.g. ["python3", "worker.py"]',
    );
  });

  it('refuses http keys on another protocol', () => {
    expect(validateConfig({ program: { command: ['x'], port: 8080 } })).toEqual([
      { path: 'program.port', message: 'applies to "protocol": "http" only; remove it or set the protocol' },
    ]);
  });

  it('tells the runtime only what it runs', () => {
    expect(
      JSON.parse(programEnvValue({ command: ['x'], protocol: 'stdio', node: 'stage', nodeImage: 'node:22-alpine' })),
    ).toEqual({ command: ['x'], protocol: 'stdio' });
  });
});
