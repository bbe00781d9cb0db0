/** The start-up texts as pure functions: what the banner tells a newcomer in each configuration. */
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { sandboxBanner, startupSummary } from '../src/startup-summary.js';

const accounts = { user: { token: 'u', pin: '1234', password: 'p1' }, passwordOnly: { token: 'p', password: 'p2' }, unlinked: { token: 'l', pin: '5678' }, noScope: { token: 'n' } };
const banner = (env: Record<string, string>) => sandboxBanner(loadConfig(env), { graphqlUrl: 'http://localhost:4000/graphql', accounts });

describe('sandboxBanner', () => {
  it('says "press Run" only when GraphiQL can run the document', () => {
    expect(banner({})).toContain('open http://localhost:4000/graphql and press Run');
    const trusted = banner({ TRUSTED_DOCUMENTS: 'test/fixtures/trusted-documents/apollo-manifest.json' });
    expect(trusted).not.toContain('press Run');
    expect(trusted).toContain("send a trusted document's id");
    expect(banner({ TRUSTED_DOCUMENTS: 'test/fixtures/trusted-documents/apollo-manifest.json', ALLOW_ARBITRARY_DOCUMENTS: 'true' })).toContain('press Run');
    const off = banner({ GRAPHIQL: 'false' });
    expect(off).not.toContain('press Run');
    expect(off).toContain('GraphiQL is off');
  });
});

describe('startupSummary', () => {
  const facts = { upstream: new URL('https://api.example/user/2024-1'), sandbox: false, tokenVerification: undefined, tracing: { enabled: false, protocol: 'http/protobuf', sampler: 'parentbased_always_on' } };
  it('names the bound address: all interfaces, or the one HOST gave; GraphiQL only when on', () => {
    const everywhere = startupSummary(loadConfig({ GRAPHIQL: 'false' }), { ...facts, listening: { address: '0.0.0.0', port: 8080 } });
    expect(everywhere.message).toBe('GraphQL gateway ready: POST /graphql on http://0.0.0.0:8080 (all interfaces)');
    const local = startupSummary(loadConfig({}), { ...facts, listening: { address: '::1', port: 4000 } });
    expect(local.message).toBe('GraphQL gateway ready: POST /graphql on http://[::1]:4000; GraphiQL at http://[::1]:4000/graphql');
  });
});
