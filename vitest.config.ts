import { defineConfig } from 'vitest/config';

// Browser-driven tests share two cores with Chromium: keep workers few and timeouts generous.
export const config = defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    maxWorkers: 2,
    reporters: ['default'],
  },
});

export default config;
