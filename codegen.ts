/**
 * GraphQL Code Generator over schema.graphql: typed documents for the operations in examples/
 * (`npx graphql-codegen` after changing one; test/codegen.unit.test.ts fails when examples/gql/ is stale).
 * Copy it into an app, pointing `documents` at the app's sources.
 */
import type { CodegenConfig } from '@graphql-codegen/cli';

// #region codegen
const config: CodegenConfig = {
  schema: 'schema.graphql',
  documents: ['examples/**/*.ts', '!examples/gql/**'],
  generates: {
    'examples/gql/': {
      preset: 'client',
      presetConfig: { fragmentMasking: false },
      config: {
        // DateTime is an RFC 3339 string on the wire; without this it would be `unknown`.
        scalars: { DateTime: 'string' },
        // A new custom scalar without a mapping fails the generation instead of becoming `any`.
        strictScalars: true,
        useTypeImports: true,
        // ESM imports with their extension (Node's NodeNext resolution).
        importExtension: '.js',
      },
    },
  },
};
// #endregion codegen

export default config;
