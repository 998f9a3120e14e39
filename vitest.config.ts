import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 120_000,
    // e2e suites share one Docker engine and one registry; files run in parallel workers.
    fileParallelism: true,
    pool: 'forks',
    // Builds the base image and fetches the Node binaries where it can (test/support/readiness.ts).
    globalSetup: ['./test/support/readiness.ts'],
    // The run ends with a line naming each skipped group and why, and one naming every container and tagged
    // image the tests left on the engine; in CI a skip or a leak fails the run.
    reporters: ['default', './test/support/skip-summary.ts', './test/support/leak-report.ts'],
    // As bin/tslambda.js does (src/cli/process.ts): the SDK's notice about its future Node support is noise here.
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
  },
});
