/**
 * Apollo Client against a gateway with TRUSTED_DOCUMENTS, as the README shows it: each operation
 * goes by its id in the manifest (`extensions.persistedQuery.sha256Hash`), never as a document.
 * test/trusted-documents.http.test.ts runs it with a manifest made by Apollo's generator.
 */
// #region apollo-persisted-queries
import type { ApolloLink } from '@apollo/client';
import { PersistedQueryLink } from '@apollo/client/link/persisted-queries';
import { generatePersistedQueryIdsFromManifest, type PersistedQueryManifestForGeneratingPersistedQueryIds } from '@apollo/persisted-query-lists';

/** Pass it to createApolloClient (./apollo-client.ts) as one of its `links`. */
export function persistedQueriesLink(loadManifest: () => Promise<PersistedQueryManifestForGeneratingPersistedQueryIds>): ApolloLink {
  return new PersistedQueryLink(generatePersistedQueryIdsFromManifest({ loadManifest }));
}
// #endregion apollo-persisted-queries
