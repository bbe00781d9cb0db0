/**
 * A ready local neighbour for trying the supergraph recipe (docs/supergraph.md): a "profile"
 * subgraph with its own root field, reading the caller's Authorization header. The federation tests
 * compose beside this same subgraph. `npx tsx examples/supergraph/profile-subgraph.ts` serves it on
 * PROFILE_PORT (default 4001).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse } from 'graphql';
import { createYoga, type YogaInitialContext } from 'graphql-yoga';

/** Its root types are described, as many real subgraphs' are. */
export const PROFILE_SDL = /* GraphQL */ `
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.6", import: [])

  """The profile service's reads."""
  type Query {
    """The caller's profile."""
    profile: Profile!
  }

  """A user profile."""
  type Profile {
    """Shown in the app."""
    displayName: String!
    """Whether the profile service itself received an Authorization header."""
    sawAuthorization: Boolean!
  }
`;

export function createProfileSubgraph() {
  const schema = buildSubgraphSchema({
    typeDefs: parse(PROFILE_SDL),
    resolvers: {
      Query: {
        profile: (_root: unknown, _args: unknown, context: unknown) => ({
          displayName: 'Demo User',
          sawAuthorization: (context as YogaInitialContext).request.headers.has('authorization'),
        }),
      },
    },
  });
  return createYoga({ schema, logging: false, landingPage: false, graphiql: false });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const server: Server = createServer(createProfileSubgraph());
  server.listen(Number(process.env['PROFILE_PORT'] ?? 4001), '127.0.0.1', () => {
    console.log(`profile subgraph at http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`);
  });
}
