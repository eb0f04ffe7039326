import { defineConfig } from 'vitest/config';

// Unit tests (`*.test.ts`) run in parallel and need no engine. Integration tests (`*.int.test.ts`) boot real
// dockerd hosts in network namespaces, so they run one file at a time, each file sharing one booted cluster.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['src/**/*.test.ts', 'bench/**/*.test.ts', 'scripts/**/*.test.mjs'],
          exclude: ['**/*.int.test.ts', 'dist/**', 'node_modules/**'],
          testTimeout: 20_000,
        },
      },
      {
        test: {
          name: 'int',
          include: ['src/**/*.int.test.ts'],
          exclude: ['dist/**', 'node_modules/**'],
          fileParallelism: false,
          testTimeout: 180_000,
          hookTimeout: 300_000,
        },
      },
    ],
  },
});
