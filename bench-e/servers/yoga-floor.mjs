// Bare Yoga, from the top-level project's node_modules: the framework's own per-request floor.
// With YOGA_BODY_LIMIT=framed (the yoga-floor-framed target), one change: the gateway's request body
// limit (dist/security/body-limit.js) instead of Yoga's own, which pipes every body through a
// TransformStream even when node:http has already framed it by its Content-Length. That is what Yoga
// itself costs a request on the gateway's configuration (docs/performance.md, "What Yoga costs").
import { createServer } from 'node:http';
import { createRequire } from 'node:module';

const requireFromRoot = createRequire(new URL('../../package.json', import.meta.url));
const { createYoga, createSchema } = await import(requireFromRoot.resolve('graphql-yoga'));
const framed = process.env.YOGA_BODY_LIMIT === 'framed';
const { useRequestBodyLimit } = framed ? await import('../../dist/security/body-limit.js') : {};

const yoga = createYoga({
  schema: createSchema({
    typeDefs: 'type Query { ok: Boolean! }',
    resolvers: { Query: { ok: () => true } },
  }),
  logging: false,
  graphiql: false,
  // Yoga's default limit (25 MB), enforced by the gateway's plugin instead of Yoga's stream.
  ...(framed && { maxRequestBodySize: false, plugins: [useRequestBodyLimit(25_000_000)] }),
});
createServer(yoga).listen(Number(process.env.PORT), '127.0.0.1');
process.on('disconnect', () => process.exit(0));
process.on('SIGTERM', () => process.exit(0)); // a clean exit: node --cpu-prof writes its profile (bench/profile.mjs)
