import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));

/** Type-checks one file the way a user's project would (strict, NodeNext) and returns its error messages. */
function typeErrors(file: string): string[] {
  const program = ts.createProgram([file], {
    strict: true,
    noEmit: true,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    target: ts.ScriptTarget.ES2022,
    types: ['node'],
    skipLibCheck: true,
  });
  return ts
    .getPreEmitDiagnostics(program)
    .map(
      (d) =>
        `${d.file ? d.file.fileName.split('/').pop() : ''}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`,
    );
}

describe('public handler types', () => {
  it('are assignable to and from the @types/aws-lambda declarations', () => {
    expect(typeErrors(fixture('compatible.ts'))).toEqual([]);
  });

  it('reject a mismatched context, an unknown config key and a wrong result type', () => {
    const errors = typeErrors(fixture('incompatible.ts'));
    expect(errors).toHaveLength(3);
    expect(errors[0]).toMatch(/awsRequestId/);
    expect(errors[1]).toMatch(/functionNme/);
    expect(errors[2]).toMatch(/ok/);
  });
});
