// What a deploy replaced, kept in AWS as tags on the function, so `rollback` needs no state of its own.
import { ListTagsCommand, TagResourceCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import { awsCall } from './errors.js';

/** $LATEST's image (by digest) before the last deploy or rollback that changed it. */
export const PREVIOUS_IMAGE_TAG = 'tslambda:previous-image';
/** The version an alias pointed at before the last deploy or rollback that moved it. */
export const previousVersionTag = (alias: string) => `tslambda:previous-version:${alias}`;

export interface ReleaseRecord {
  previousImage?: string;
  /** Alias name → the version it pointed at before. */
  previousVersions: Record<string, string>;
}

export async function readReleaseRecord(lambda: LambdaClient, functionArn: string): Promise<ReleaseRecord> {
  const { Tags: tags = {} } = await awsCall(`ListTags ${functionArn}`, () =>
    lambda.send(new ListTagsCommand({ Resource: functionArn })),
  );
  const prefix = previousVersionTag('');
  const previousVersions = Object.fromEntries(
    Object.entries(tags)
      .filter(([key]) => key.startsWith(prefix))
      .map(([key, value]) => [key.slice(prefix.length), value]),
  );
  return { previousImage: tags[PREVIOUS_IMAGE_TAG], previousVersions };
}

/** Writes the parts given; the others keep their value. */
export async function writeReleaseRecord(
  lambda: LambdaClient,
  functionArn: string,
  record: { previousImage?: string; alias?: { name: string; previousVersion: string } },
): Promise<void> {
  const tags: Record<string, string> = {};
  if (record.previousImage) tags[PREVIOUS_IMAGE_TAG] = record.previousImage;
  if (record.alias) tags[previousVersionTag(record.alias.name)] = record.alias.previousVersion;
  if (Object.keys(tags).length === 0) return;
  await awsCall(`TagResource ${functionArn}`, () =>
    lambda.send(new TagResourceCommand({ Resource: functionArn, Tags: tags })),
  );
}
