// Apollo Server 5 standalone + a RESTDataSource, built the way Apollo's docs show.
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import { RESTDataSource } from '@apollo/datasource-rest';

class PaceAPI extends RESTDataSource {
  baseURL = `${process.env.PACE_API_URL}/`;

  constructor(options) {
    super(options);
    this.token = options.token;
  }

  willSendRequest(_path, request) {
    if (this.token) request.headers['authorization'] = this.token;
  }

  async createOtp(pin) {
    return this.post('user/otp', { body: { pin } });
  }
}

const typeDefs = `#graphql
  input CreateOtpInput { pin: String! }
  type Otp { otp: String! expiresAt: String! }
  type PaceError { message: String! }
  union CreateOtpResult = Otp | PaceError
  type Query { ok: Boolean! }
  type Mutation { createOtp(input: CreateOtpInput!): CreateOtpResult! }
`;

const resolvers = {
  Query: { ok: () => true },
  Mutation: {
    createOtp: async (_root, { input }, { dataSources }) => {
      try {
        return { __typename: 'Otp', ...(await dataSources.pace.createOtp(input.pin)) };
      } catch (err) {
        return { __typename: 'PaceError', message: err.message };
      }
    },
  },
  CreateOtpResult: { __resolveType: (obj) => obj.__typename },
};

const server = new ApolloServer({ typeDefs, resolvers });
const { cache } = server;
await startStandaloneServer(server, {
  listen: { port: Number(process.env.PORT), host: '127.0.0.1' },
  context: async ({ req }) => ({
    dataSources: { pace: new PaceAPI({ cache, token: req.headers.authorization }) },
  }),
});
process.on('disconnect', () => process.exit(0));
process.on('SIGTERM', () => process.exit(0)); // a clean exit: node --cpu-prof writes its profile (bench/profile.mjs)
