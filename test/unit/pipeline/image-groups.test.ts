// Which functions share an image: identical build inputs with the handler chosen at run time; a bundle is an input.
import { describe, expect, it } from 'vitest';
import { loadProject } from '../../../src/config/load.js';
import { groupByImage, runTimeCommand } from '../../../src/pipeline/image-groups.js';
import { selectTargets } from '../../../src/pipeline/targets.js';
import { makeProject } from '../../support/temp-project.js';

const jsHandlers = {
  'src/api.js': 'exports.handler = async () => "api";\n',
  'src/worker.js': 'exports.handler = async () => "worker";\n',
};
const tsHandlers = {
  'src/api.ts': 'export const handler = async () => "api";\n',
  'src/worker.ts': 'export const handler = async () => "worker";\n',
};

async function groupsOf(config: object, files: Record<string, string>, bundle?: boolean) {
  const root = await makeProject({ ...files, 'lambda.config.json': JSON.stringify(config) });
  const { functions } = await loadProject({ cwd: root, env: {} });
  const groups = await groupByImage(functions, { bundle });
  return groups.map((group) => ({
    members: group.members.map((member) => member.functionKey),
    commands: group.members.map((member) => runTimeCommand(group, member)),
  }));
}

describe('image groups', () => {
  it('builds one image for handlers of one folder chosen at run time, each function with its own command', async () => {
    const groups = await groupsOf(
      {
        functions: { api: { handler: 'src/api.handler' }, worker: { handler: 'src/worker.handler', memorySize: 512 } },
      },
      jsHandlers,
      false,
    );
    expect(groups).toEqual([{ members: ['api', 'worker'], commands: [['src/api.handler'], ['src/worker.handler']] }]);
  });

  it('shares a user Dockerfile between handlers, and parts functions whose architecture or build args differ', async () => {
    const groups = await groupsOf(
      {
        functions: {
          api: { handler: 'src/api.handler' },
          worker: { handler: 'src/worker.handler' },
          arm: { handler: 'src/api.handler', architecture: 'arm64' },
          args: { handler: 'src/api.handler', buildArgs: { MODE: 'x' } },
        },
      },
      { ...tsHandlers, Dockerfile: 'FROM scratch\n' },
    );
    expect(groups.map((group) => group.members)).toEqual([['api', 'worker'], ['arm'], ['args']]);
    expect(groups[1]!.commands).toEqual([undefined]);
  });

  it('makes a bundled handler its own image, but shares it between functions running the same bundle', async () => {
    const groups = await groupsOf(
      {
        functions: {
          api: { handler: 'src/api.handler' },
          worker: { handler: 'src/worker.handler' },
          'api-big': { handler: 'src/api.handler', memorySize: 2048 },
        },
      },
      tsHandlers,
    );
    expect(groups).toEqual([
      { members: ['api', 'api-big'], commands: [undefined, undefined] },
      { members: ['worker'], commands: [undefined] },
    ]);
  });

  it('counts a function deployed to two regions once in its group', async () => {
    const root = await makeProject({
      ...jsHandlers,
      'lambda.config.json': JSON.stringify({
        regions: ['eu-west-1', 'us-east-1'],
        functions: { api: { handler: 'src/api.handler' }, worker: { handler: 'src/worker.handler' } },
      }),
    });
    const { functions } = await loadProject({ cwd: root, env: {} });
    const targets = selectTargets(functions, { all: true });
    expect(targets.map((target) => target.label)).toEqual([
      'api eu-west-1',
      'api us-east-1',
      'worker eu-west-1',
      'worker us-east-1',
    ]);
    const groups = await groupByImage(
      targets.map((target) => target.config),
      { bundle: false },
    );
    expect(groups.map((group) => group.members.map((member) => member.functionKey))).toEqual([['api', 'worker']]);
  });
});
