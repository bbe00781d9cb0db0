/**
 * Apollo Client 4 set up for this gateway, as the README shows it: the shipped possible-types.json
 * (or `... on Error { message }` is silently dropped), the token per request, and `credentials`
 * never answered from another user's cache. test/clients.http.test.ts runs it against the gateway.
 */
// #region apollo-client
import { ApolloClient, ApolloLink, HttpLink, InMemoryCache } from '@apollo/client';
import { SetContextLink } from '@apollo/client/link/context';
import shipped from '../possible-types.json' with { type: 'json' };

/** `links` go between the token and the HTTP request, e.g. persistedQueriesLink() of ./apollo-persisted-queries.ts. */
export function createApolloClient(uri: string, getToken: () => string | undefined, links: readonly ApolloLink[] = []): ApolloClient {
  // Read on every operation, so a new token is used at once.
  const authorization = new SetContextLink((previous) => {
    const token = getToken();
    return { headers: { ...previous['headers'], ...(token && { authorization: `Bearer ${token}` }) } };
  });
  return new ApolloClient({
    link: ApolloLink.from([authorization, ...links, new HttpLink({ uri })]),
    cache: new InMemoryCache({
      // Which types implement `Error` and belong to each result union: without it the cache cannot
      // match `... on Error` and drops `message` without a word (not even a warning in production).
      possibleTypes: shipped.possibleTypes,
    }),
    defaultOptions: {
      // `credentials` depends on the token, which is not part of the cache key: always ask the
      // gateway (one cheap GET to PACE), and reset the store when the user changes (see signOut).
      query: { fetchPolicy: 'network-only' },
      watchQuery: { fetchPolicy: 'cache-and-network' },
    },
  });
}

/** On logout or a token of another user: nothing of the previous user stays in the cache. */
export async function signOut(client: ApolloClient): Promise<void> {
  await client.clearStore();
}
// #endregion apollo-client

