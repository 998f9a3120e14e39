// The generated Dockerfile of a program handler: the program named to the runtime, and the runtime's Node either
// staged with its libraries at /opt/tslambda/node (PATH untouched) or the base image's own.
import { describe, expect, it } from 'vitest';
import type { ProgramConfig } from '../../../src/config/program.js';
import { generateProgramDockerfile, programDockerfileSnippet } from '../../../src/image/program-dockerfile.js';

const base = { baseImage: 'julia:1.11', appDir: '.tslambda/app', tslambdaVersion: '0.0.0-test' };

describe('program Dockerfile', () => {
  it('stages Node with its libraries from the node image and runs the loop through its loader', () => {
    const text = generateProgramDockerfile({ ...base, program: { command: ['julia', 'serve.jl'], protocol: 'stdio' } });
    const lines = text.trim().split('\n');
    expect(lines[1]).toBe('FROM node:22-slim AS tslambda-node');
    expect(lines[2]).toMatch(/^RUN mkdir -p \/opt\/tslambda\/node\/lib && .*ldd "\$node".*ld\.so$/);
    expect(lines).toContain('FROM julia:1.11');
    expect(lines).toContain(
      'ENV TSLAMBDA_PROGRAM="{\\"command\\":[\\"julia\\",\\"serve.jl\\"],\\"protocol\\":\\"stdio\\"}"',
    );
    expect(lines).toContain(
      'ENTRYPOINT ["/opt/tslambda/node/lib/ld.so","--library-path","/opt/tslambda/node/lib","/opt/tslambda/node/node","/opt/tslambda/runtime/bootstrap.cjs"]',
    );
    expect(lines).toContain('COPY --from=tslambda-node /opt/tslambda/node/ /opt/tslambda/node/');
    expect(text).not.toMatch(/ENV PATH|npm/);
    expect(lines.at(-1)).toBe('COPY .tslambda/app/ /var/task/');
  });

  it("uses the base image's node when program.node names it, and escapes $ in the program", () => {
    const text = generateProgramDockerfile({
      ...base,
      program: { command: ['bash', '-c', 'echo $HOME'], protocol: 'exec', node: '/usr/local/bin/node' },
    });
    expect(text).not.toContain('tslambda-node');
    expect(text).toContain('ENTRYPOINT ["/usr/local/bin/node","/opt/tslambda/runtime/bootstrap.cjs"]');
    expect(text).toContain('echo \\$HOME');
  });
  it('prints, for a Dockerfile of your own, the same stage and final-stage lines as the generated one', () => {
    const program: ProgramConfig = { command: ['julia', 'serve.jl'], protocol: 'stdio' };
    const generated = generateProgramDockerfile({ ...base, program })
      .trim()
      .split('\n');
    const snippet = programDockerfileSnippet(program, '0.0.0-test').trim().split('\n');
    const code = (lines: string[]) => lines.filter((line) => line && !line.startsWith('#'));
    // Everything but the base, the working folder, the labels and the app's own files.
    const expected = code(generated).filter((line) => !/^(FROM julia|WORKDIR|LABEL|COPY \.tslambda\/app)/.test(line));
    expect(code(snippet)).toEqual(expected);
  });
});
