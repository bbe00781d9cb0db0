/**
 * urql set up for this gateway, as the README shows it: `@urql/core` with Graphcache fed the schema
 * (or `... on Error { message }` cannot be matched), queries sent as POST (Yoga's CSRF prevention
 * refuses urql's default GET), and the token per request. test/clients.http.test.ts runs it.
 */
// #region urql-client
import { Client, fetchExchange } from '@urql/core';
import { cacheExchange } from '@urql/exchange-graphcache';
import type { IntrospectionQuery } from 'graphql';
import shipped from '../possible-types.json' with { type: 'json' };

/**
 * `schema`: the introspection of schema.graphql, e.g.
 * `introspectionFromSchema(buildSchema(readFileSync('schema.graphql', 'utf8')))` at build time.
 * Make a new client when the user changes: nothing cached survives.
 */
export function createUrqlClient(url: string, getToken: () => string | undefined, schema: IntrospectionQuery): Client {
  // No result type has an id: Graphcache embeds them in their parent instead of warning about keys.
  const members = new Set([...Object.values(shipped.possibleTypes).flat(), 'FieldError']);
  return new Client({
    url,
    exchanges: [cacheExchange({ schema, keys: Object.fromEntries([...members].map((type) => [type, () => null])) }), fetchExchange],
    // urql sends queries as GET by default, which the gateway's CSRF prevention refuses (403).
    preferGetMethod: false,
    // `credentials` depends on the token, which is not part of the cache key: always ask the gateway.
    requestPolicy: 'network-only',
    fetchOptions: () => {
      const token = getToken();
      return token ? { headers: { authorization: `Bearer ${token}` } } : {};
    },
  });
}
// #endregion urql-client
