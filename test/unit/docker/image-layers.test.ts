// bytesCopiedInto reads the layers that copied into a folder from an image's history, in both builders' wordings.
import { describe, expect, it } from 'vitest';
import { bytesCopiedInto, type HistoryStep } from '../../../src/docker/image-layers.js';

const classic: HistoryStep[] = [
  { createdBy: '/bin/sh -c #(nop) COPY dir:cba53ef5 in /var/task/ ', size: 3065 },
  { createdBy: '/bin/sh -c #(nop) COPY dir:6bf173a2 in /opt/tslambda/runtime/ ', size: 124149 },
  { createdBy: '/bin/sh -c #(nop) COPY dir:756438c6 in /opt/tslambda/node/ ', size: 104545536 },
  { createdBy: '/bin/sh -c #(nop)  ENV PROGRAM_DIR=/opt/tslambda/node/', size: 0 },
  { createdBy: '/bin/sh -c #(nop) WORKDIR /var/task', size: 0 },
];
const buildkit: HistoryStep[] = [
  { createdBy: 'COPY tslambda-app/ /var/task/ # buildkit', size: 4096 },
  { createdBy: 'COPY /opt/tslambda/node/ /opt/tslambda/node/ # buildkit', size: 98_000_000 },
  { createdBy: 'RUN /bin/sh -c cp -r /src /opt/tslambda/node # buildkit', size: 5 },
];

describe('bytesCopiedInto', () => {
  it('sums the COPY layers whose destination is the folder (classic builder)', () => {
    expect(bytesCopiedInto(classic, '/opt/tslambda/node')).toBe(104545536);
    expect(bytesCopiedInto(classic, '/opt/tslambda/runtime/')).toBe(124149);
  });

  it('reads BuildKit wording, and leaves out a RUN that merely names the folder', () => {
    expect(bytesCopiedInto(buildkit, '/opt/tslambda/node')).toBe(98_000_000);
  });

  it('is undefined when no step copied there (a program on the base image’s own node)', () => {
    expect(bytesCopiedInto(classic.slice(0, 2), '/opt/tslambda/node')).toBeUndefined();
    expect(bytesCopiedInto([], '/opt/tslambda/node')).toBeUndefined();
  });
});
