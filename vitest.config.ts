import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/harness/global-setup.ts'],
    pool: 'forks',
    // Two cores: more workers only make virtual devices boot slower.
    maxWorkers: 2,
    // Above the harness's own bounds (a virtual device's boot settles within 180 s), so that on a
    // busy machine a slow test fails, if at all, with the harness naming what it waited for, not
    // with vitest's bare timeout. Tests that must be fast assert their own durations.
    testTimeout: 240_000,
    hookTimeout: 240_000,
    teardownTimeout: 30_000,
    reporters: ['default'],
  },
});
