// The steps `push` and `deploy` share, in the order they run: AWS target, tag, repository, build, push.
// Each lives in its own file; this module gathers them so a command loads the release machinery with one import.
export { connectAws, type AwsTarget } from './aws-target.js';
export { chooseTag } from './tag-policy.js';
export { repositoryStep } from './repository.js';
export { buildStep, type BuildOptions, type BuiltImage } from './build.js';
export { pushStep } from './push.js';
export { buildAndPush } from './build-push.js';
