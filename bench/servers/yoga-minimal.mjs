// The "minimal Yoga gateway" of issue 19: what a competent developer writes as a plain gateway for
// createOtp. Bare createYoga (logging, GraphiQL and Yoga's body-size limit off, nothing else) and an
// undici Pool: the same input and result union as the gateway, the Authorization header forwarded,
// POST {PACE_API_URL}/user/otp, 201 -> Otp, 404 -> InvalidCredentials. The reference for CPU per request.
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

const requireFromRoot = createRequire(new URL('../../package.json', import.meta.url));
const { createYoga, createSchema, createGraphQLError } = await import(requireFromRoot.resolve('graphql-yoga'));
const { Pool } = requireFromRoot('undici');

const typeDefs = /* GraphQL */ `
  input CreateOtpInput { pin: String password: String }
  type Otp { otp: String! expiresAt: String! }
  type InvalidCredentials { message: String! }
  type Unauthenticated { message: String! }
  type Forbidden { message: String! }
  union CreateOtpResult = Otp | InvalidCredentials | Unauthenticated | Forbidden
  type Query { ok: Boolean! }
  type Mutation { createOtp(input: CreateOtpInput!): CreateOtpResult! }
`;

/** The minimal gateway's Yoga instance, calling PACE at `paceApiUrl` (bench/micro.mjs also builds it in process). */
export function createMinimalYoga(paceApiUrl) {
  const upstream = new URL(`${paceApiUrl}/user/otp`);
  const pool = new Pool(upstream.origin, { connections: 128 });
  return createYoga({
    schema: createSchema({
      typeDefs,
      resolvers: {
        Query: { ok: () => true },
        Mutation: { createOtp: (root, args, context) => createOtp(pool, upstream, args, context) },
        CreateOtpResult: { __resolveType: (result) => result.__typename },
      },
    }),
    logging: false,
    graphiql: false,
    maxRequestBodySize: false,
  });
}

async function createOtp(pool, upstream, { input }, { request }) {
  const authorization = request.headers.get('authorization');
  const res = await pool.request({
    path: upstream.pathname,
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(authorization && { authorization }) },
    body: JSON.stringify({ pin: input.pin, password: input.password }),
  });
  if (res.statusCode === 201) {
    const { otp, expiresAt } = await res.body.json();
    return { __typename: 'Otp', otp, expiresAt };
  }
  await res.body.dump();
  switch (res.statusCode) {
    case 404: return { __typename: 'InvalidCredentials', message: 'The PIN or password is wrong.' };
    case 401: return { __typename: 'Unauthenticated', message: 'The access token is missing or invalid.' };
    case 403: return { __typename: 'Forbidden', message: 'The access token may not create an OTP.' };
    default: throw createGraphQLError(`PACE answered HTTP ${res.statusCode}`);
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  createServer(createMinimalYoga(process.env.PACE_API_URL)).listen(Number(process.env.PORT), '127.0.0.1');
  process.on('disconnect', () => process.exit(0));
  process.on('SIGTERM', () => process.exit(0)); // a clean exit: node --cpu-prof writes its profile (bench/profile.mjs)
}
