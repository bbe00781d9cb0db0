// Bare Yoga, from the top-level project's node_modules: the framework's own per-request floor.
import { createServer } from 'node:http';
import { createRequire } from 'node:module';

const requireFromRoot = createRequire(new URL('../../package.json', import.meta.url));
const { createYoga, createSchema } = await import(requireFromRoot.resolve('graphql-yoga'));

const yoga = createYoga({
  schema: createSchema({
    typeDefs: 'type Query { ok: Boolean! }',
    resolvers: { Query: { ok: () => true } },
  }),
  logging: false,
  graphiql: false,
});
createServer(yoga).listen(Number(process.env.PORT), '127.0.0.1');
process.on('disconnect', () => process.exit(0));
process.on('SIGTERM', () => process.exit(0)); // a clean exit: node --cpu-prof writes its profile (bench/profile.mjs)
