/**
 * graphql-request set up for this gateway, as the README shows it: the generated documents give
 * typed variables and results. test/clients.http.test.ts runs it.
 */
// #region graphql-request
import { GraphQLClient } from 'graphql-request';

export function createGraphQLRequestClient(url: string, getToken: () => string | undefined): GraphQLClient {
  return new GraphQLClient(url, {
    // Typed, so `{}` is a header map under plain `strict` too (without it: TS2322, `authorization?: undefined`).
    headers: (): Record<string, string> => {
      const token = getToken();
      return token ? { authorization: `Bearer ${token}` } : {};
    },
  });
}
// #endregion graphql-request
