import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['test/bench/**', 'node_modules/**'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // s3rver answers paged ListObjectsV2 with a continuation token it makes with a legacy cipher.
    execArgv: ['--openssl-legacy-provider'],
    // The AWS SDK warns once per process that its 2027 releases will need Node 22; tests need not say so 90 times.
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
  },
});
