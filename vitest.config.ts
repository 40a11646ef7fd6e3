import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['test/bench/**', 'node_modules/**'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // s3rver answers paged ListObjectsV2 with a continuation token it makes with a legacy cipher.
    execArgv: ['--openssl-legacy-provider'],
  },
});
