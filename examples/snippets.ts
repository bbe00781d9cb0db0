/**
 * The short usage snippets of docs/clients.md, as code the compiler checks (`npm run typecheck`, also
 * under the plain `strict` of examples/tsconfig.json): each `#region` is in the guide verbatim
 * (test/docs.unit.test.ts). Type-checked only: test/clients.http.test.ts and
 * test/trusted-documents.http.test.ts run the same calls against the gateway.
 */
import { readFile } from 'node:fs/promises';
import { createApolloClient } from './apollo-client.js';
import { persistedQueriesLink } from './apollo-persisted-queries.js';
import { createGraphQLRequestClient } from './graphql-request-client.js';
import { CreateOtpDocument } from './operations.js';

// What an app has at hand where it calls the gateway.
declare const session: { readonly accessToken: string | undefined };
declare const url: string;
declare const token: string;
declare const pin: string;
declare const getToken: () => string | undefined;

export async function apolloUsage() {
// #region apollo-usage
const client = createApolloClient('https://gateway.example.com/graphql', () => session.accessToken);
const { data } = await client.mutate({ mutation: CreateOtpDocument, variables: { input: { pin } } });
switch (data?.createOtp.__typename) { /* one case per member, as in examples/typed-client.ts */ }
// #endregion apollo-usage
}

export async function graphqlRequestUsage() {
// #region graphql-request-usage
const { createOtp } = await createGraphQLRequestClient(url, () => token).request(CreateOtpDocument, { input: { pin } });
// #endregion graphql-request-usage
  return createOtp;
}

export async function persistedQueriesUsage() {
// #region persisted-queries-usage
// persisted-query-manifest.json: what `npx generate-persisted-query-manifest` wrote (see above)
const loadManifest = async () => JSON.parse(await readFile('persisted-query-manifest.json', 'utf8'));
const client = createApolloClient(url, getToken, [persistedQueriesLink(loadManifest)]);
// #endregion persisted-queries-usage
  return client;
}

export function persistedDocumentUsage() {
// #region persisted-document-usage
// The client-preset with `persistedDocuments: true` adds `__meta__.hash` to each document at run time;
// its TypedDocumentNode type does not declare it, so read it through a type that does.
const { __meta__ } = CreateOtpDocument as typeof CreateOtpDocument & { __meta__?: { hash: string } };
const body = JSON.stringify({ documentId: __meta__?.hash, variables: { input: { pin } } });
// #endregion persisted-document-usage
  return body;
}
