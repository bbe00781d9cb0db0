/**
 * `npm run supergraph`: a local supergraph in one command. This gateway as the `pace-otp` subgraph
 * (over its embedded sandbox, tokens verified against the sandbox realm), the `profile` neighbour
 * (./profile-subgraph.ts), both composed with @theguild/federation-composition, and Hive Gateway
 * configured by ./router.ts (header forwarding, JWT + @authenticated/@requiresScopes) on
 * ROUTER_PORT (default 4100). The subgraphs listen on free ports of 127.0.0.1: clients talk to the
 * router only. Prints a token with the scope and one without.
 */
import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createGatewayRuntime } from '@graphql-hive/gateway-runtime';
import { composeServices, compositionHasErrors } from '@theguild/federation-composition';
import { parse } from 'graphql';
import { loadConfig } from '../../src/config.js';
import { createGateway } from '../../src/gateway.js';
import { startEmbeddedSandbox } from '../../src/sandbox/index.js';
import { createProfileSubgraph } from './profile-subgraph.js';
import { routerConfig } from './router.js';

const routerPort = Number(process.env['ROUTER_PORT'] ?? 4100);
const sandbox = await startEmbeddedSandbox();
const otp = createGateway({
  ...loadConfig({ LOG_LEVEL: 'warn' }),
  paceApiUrl: new URL(sandbox.url),
  paceJwksUrl: new URL(sandbox.jwksUrl),
  paceTokenIssuer: sandbox.issuer,
});
const profile = createProfileSubgraph();
const otpServer = await listen(otp, 0);
const profileServer = await listen(profile, 0);

/** A subgraph's SDL as supergraph tooling gets it: `{ _service { sdl } }`. */
async function subgraph(name: string, server: Server) {
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ _service { sdl } }' }) });
  const { data } = (await response.json()) as { data: { _service: { sdl: string } } };
  return { name, url, typeDefs: parse(data._service.sdl) };
}
const composed = composeServices([await subgraph('pace-otp', otpServer), await subgraph('profile', profileServer)]);
if (compositionHasErrors(composed)) throw new Error(composed.errors.map((error) => error.message).join('\n'));

const router = createGatewayRuntime(routerConfig({ supergraph: composed.supergraphSdl, jwksUrl: sandbox.jwksUrl, issuer: sandbox.issuer }));
const routerServer = await listen(router, routerPort, () => {
  console.error(`Port ${routerPort} is already in use: set ROUTER_PORT to a free port.`);
  process.exit(1);
});
const url = `http://localhost:${(routerServer.address() as AddressInfo).port}/graphql`;
console.log(`Supergraph router (Hive Gateway) ready at ${url}
  subgraphs: pace-otp (this gateway over its sandbox), profile
  with user:otp:create (PIN ${sandbox.demo.user.pin}):
    Authorization: Bearer ${sandbox.demo.user.token}
  without it (refused by the router: HTTP 401, UNAUTHORIZED_FIELD_OR_TYPE):
    Authorization: Bearer ${sandbox.demo.noScope.token}`);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    for (const server of [routerServer, otpServer, profileServer]) server.closeAllConnections();
    void Promise.all([close(routerServer), close(otpServer), close(profileServer)])
      .then(() => Promise.all([router.dispose(), otp.dispose(), profile.dispose(), sandbox.close()]))
      .then(() => process.exit(0));
  });
}

function listen(listener: RequestListener, port: number, onBusy?: () => void): Promise<Server> {
  const server = createServer(listener);
  return new Promise((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => (error.code === 'EADDRINUSE' && onBusy ? onBusy() : reject(error)));
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

function close(server: Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}
