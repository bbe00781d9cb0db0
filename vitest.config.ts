import { defineConfig } from 'vitest/config';

// Test kinds are split by file suffix: *.unit.test.ts (pure functions), *.http.test.ts (real HTTP on
// port 0), *.federation.test.ts (through a real federation gateway), *.e2e.test.ts (real processes,
// real browser, real Redis).
const kinds = ['unit', 'http', 'federation', 'e2e'] as const;

export default defineConfig({
  // graphql 16 has a CJS `main` and an ESM `module` but no exports map. Node gives Yoga and Pothos
  // the CJS copy; point Vite there too, or two GraphQL realms meet ("from another module or realm").
  resolve: { alias: [{ find: /^graphql$/, replacement: 'graphql/index.js' }] },
  test: {
    projects: kinds.map((kind) => ({
      extends: true,
      test: {
        name: kind,
        include: [`test/**/*.${kind}.test.ts`],
        testTimeout: kind === 'unit' ? 5_000 : 30_000,
        hookTimeout: 60_000,
      },
    })),
  },
});
