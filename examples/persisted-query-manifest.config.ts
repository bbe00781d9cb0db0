/**
 * Apollo's persisted query manifest from GraphQL Code Generator's list (docs/clients.md, trusted
 * documents): `npx generate-persisted-query-manifest --config persisted-query-manifest.config.ts`
 * (the file's usual place is the project root, where the command finds it without --config).
 * test/trusted-documents.http.test.ts makes the manifest with the same call and runs it.
 */
// #region manifest-config
import { fromGraphQLCodegenPersistedDocuments, type PersistedQueryManifestConfig } from '@apollo/generate-persisted-query-manifest';

const config: PersistedQueryManifestConfig = {
  // Where codegen.ts's client-preset (with `persistedDocuments: true`) writes its list: beside the generated code.
  documents: fromGraphQLCodegenPersistedDocuments('examples/gql/persisted-documents.json'),
  output: 'persisted-query-manifest.json',
};

export default config;
// #endregion manifest-config
