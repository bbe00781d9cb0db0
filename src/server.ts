/** The entry: config -> (sandbox) -> gateway -> listen; drains on SIGTERM/SIGINT. */
import './v8-flags.js'; // first: before any request's objects are allocated
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ConfigError, loadConfig, type Config } from './config.js';
import { createGateway } from './gateway.js';
import { demoAccountPages } from './graphiql.js';
import { createLogger } from './logger.js';
import { GatewayMetrics, metricsListener } from './observability/metrics.js';
import { startTracing } from './observability/start-tracing.js';
import type { RunningSandbox } from './sandbox/index.js';
import { LOCKOUT_RESET_PATH } from './sandbox-lockout-reset.js';
import { sandboxBanner, startupSummary } from './startup-summary.js';

let config: Config;
try {
  config = loadConfig();
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  console.error(error.message);
  process.exit(1);
}

const logger = createLogger(config.logLevel);
const tracing = await startTracing(config.tracing, logger);
let sandbox: RunningSandbox | undefined;
if (config.paceApiUrl === undefined) {
  // Loaded only when used: a production process never imports the sandbox (nor its key generation).
  const { startEmbeddedSandbox } = await import('./sandbox/index.js');
  const embedded = await startEmbeddedSandbox(config.sandboxPort);
  sandbox = embedded;
  logger.warn({ upstream: sandbox.url }, 'PACE_API_URL is not set: using the embedded sandbox upstream (development only)');
  if (!embedded.stablePort) logger.warn({ issuer: sandbox.issuer }, "the sandbox's usual port (SANDBOX_PORT) is taken: the demo tokens printed now die with this process");
}
const paceApiUrl = config.paceApiUrl ?? new URL(sandbox!.url);
// The sandbox signs its demo tokens: verify them as production verifies PACE ID's, through its issuer's discovery document.
const tokenVerification = sandbox && config.paceTokenIssuer === undefined ? { paceTokenIssuer: sandbox.issuer } : {};
const tokenIssuer = config.paceTokenIssuer ?? tokenVerification.paceTokenIssuer;
if (tokenIssuer === undefined && config.production) {
  logger.warn(
    'PACE_TOKEN_ISSUER is not set: tokens are not verified here, and the PIN guard keys accounts by an unverified `sub` ' +
      "(a forged token carrying someone's `sub` can hold that account's in-flight slots while PACE takes to reject it)",
  );
}

let stopping = false;
const upstreamAbort = new AbortController();
const metrics = new GatewayMetrics({ processMetrics: true }); // one process, one set of process metrics
const sandboxDemo = sandbox && { authorization: `Bearer ${sandbox.demo.user.token}`, pin: sandbox.demo.user.pin, accounts: demoAccountPages(sandbox.demo) };
// The drain: from SIGTERM on (`stopping`), every response says `Connection: close` (useResponseHeaders),
// so pooled clients (apps, routers) open a new connection elsewhere instead of sending more on this one.
const gateway = createGateway(
  { ...config, ...tokenVerification, paceApiUrl },
  { logger, metrics, tracing, isShuttingDown: () => stopping, abortUpstream: upstreamAbort.signal, ...(sandboxDemo && { sandboxDemo }) },
);
const server = createServer(gateway);

const metricsServer = config.metricsPort === undefined ? undefined : createServer(metricsListener(metrics));

listen(server, config.port, 'PORT', () => {
  const listening = server.address() as AddressInfo;
  const summary = startupSummary(config, {
    listening,
    upstream: paceApiUrl,
    sandbox: sandbox !== undefined,
    tokenVerification: tokenIssuer === undefined ? undefined : { issuer: tokenIssuer, jwksUrl: config.paceJwksUrl },
  });
  logger.info(summary.fields, summary.message);
  // Demo credentials of the local sandbox only: printed to the terminal, never through the logger.
  const local = `http://localhost:${listening.port}`;
  if (sandbox) console.log(sandboxBanner(config, { graphqlUrl: `${local}/graphql`, accounts: sandbox.demo, resetUrl: `${local}${LOCKOUT_RESET_PATH}` }));
});
if (metricsServer) listen(metricsServer, config.metricsPort!, 'METRICS_PORT', (port) => logger.info({ port }, `metrics at http://localhost:${port}/metrics`));

/** A port that cannot be had is one clear line and exit 1, not a stack trace. */
function listen(target: Server, port: number, variable: string, onListening: (port: number) => void): void {
  target.once('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EADDRINUSE' && error.code !== 'EACCES' && error.code !== 'EADDRNOTAVAIL') throw error;
    const reason = error.code === 'EADDRINUSE' ? 'is already in use' : `cannot be used (${error.code})`;
    console.error(`Port ${port}${config.host ? ` on ${config.host}` : ''} ${reason}: set ${variable} to a free port.`);
    process.exit(1);
  });
  target.listen(port, config.host, () => onListening((target.address() as AddressInfo).port));
}

/** After SHUTDOWN_TIMEOUT_MS, the time the aborted calls, the span export and the exit have. */
const HARD_EXIT_AFTER_DRAIN_MS = 900;
/** Kept free before the hard exit, for the last log line and the exit itself. */
const EXIT_MARGIN_MS = 300;

async function shutdown(signal: string): Promise<void> {
  if (stopping) return; // npm forwards the signal too: the second one changes nothing
  stopping = true;
  // Whatever PACE, Redis or a client does, the process is gone within SHUTDOWN_TIMEOUT_MS + 1 s.
  const hardExitAt = performance.now() + config.shutdownTimeoutMs + HARD_EXIT_AFTER_DRAIN_MS;
  setTimeout(() => {
    logger.error('shutdown overran its time: exiting');
    process.exit(1);
  }, config.shutdownTimeoutMs + HARD_EXIT_AFTER_DRAIN_MS).unref();
  logger.info({ signal }, 'shutting down: draining in-flight requests');
  const deadline = setTimeout(() => {
    // Callers still connected get UPSTREAM_UNAVAILABLE (with Connection: close); then the rest is cut.
    logger.warn('shutdown timeout: aborting the remaining PACE calls');
    upstreamAbort.abort();
    setTimeout(() => server.closeAllConnections(), 300).unref();
  }, config.shutdownTimeoutMs);
  deadline.unref();
  metricsServer?.close();
  metricsServer?.closeAllConnections();
  // Idle keep-alive sockets close at once, after one more poll of the network: a request a pooled
  // client already sent on one is read and answered (with Connection: close) instead of being lost
  // with the socket. Only a request sent in the same instant can still meet a closed socket.
  await new Promise<void>((resolve) => {
    setImmediate(() =>
      setImmediate(() => {
        server.close(() => resolve()); // stops accepting, closes idle sockets; resolves once every connection has ended
        server.closeIdleConnections();
      }),
    );
  });
  let code = 0;
  try {
    // The deadline stays armed until the PACE client has closed: calls whose clients already hung up
    // still hold it open, and are aborted at the deadline like the rest.
    await gateway.dispose();
    clearTimeout(deadline);
    await sandbox?.close();
    // The spans of the drained and aborted requests, in the time left before the hard exit.
    await tracing?.shutdown(hardExitAt - performance.now() - EXIT_MARGIN_MS);
    logger.info('stopped');
  } catch (error) {
    code = 1;
    logger.error({ err: error }, 'shutdown failed');
  }
  process.exit(code);
}
process.on('SIGTERM', (signal) => void shutdown(signal));
process.on('SIGINT', (signal) => void shutdown(signal));
