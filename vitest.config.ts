import { defineConfig } from 'vitest/config';

// Test kinds are split by file suffix: *.unit.test.ts (pure functions), *.http.test.ts (real HTTP on
// port 0), *.federation.test.ts (through a real federation gateway), *.e2e.test.ts (real processes,
// real browser, real Redis).
const kinds = ['unit', 'http', 'federation', 'e2e'] as const;

export default defineConfig({
  test: {
    projects: kinds.map((kind) => ({
      test: {
        name: kind,
        include: [`test/**/*.${kind}.test.ts`],
        testTimeout: kind === 'unit' ? 5_000 : 30_000,
        hookTimeout: 60_000,
      },
    })),
  },
});
