/** The entry: config -> (sandbox) -> gateway -> listen; drains on SIGTERM/SIGINT. */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ConfigError, loadConfig, type Config } from './config.js';
import { createGateway } from './gateway.js';
import { createLogger } from './logger.js';
import { loadTracingSettings, startTracing, type TracingSettings } from './observability/tracing.js';
import { startSandbox, type RunningSandbox } from './sandbox/index.js';

let config: Config;
let tracingSettings: TracingSettings;
try {
  config = loadConfig();
  tracingSettings = loadTracingSettings();
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  console.error(error.message);
  process.exit(1);
}

const logger = createLogger(config.logLevel);
const tracing = await startTracing(tracingSettings, logger); // before the gateway: its plugin and clients report to it
let sandbox: RunningSandbox | undefined;
if (config.paceApiUrl === undefined) {
  sandbox = await startSandbox();
  logger.warn({ upstream: sandbox.url }, 'PACE_API_URL is not set: using the embedded sandbox upstream (development only)');
}
const paceApiUrl = config.paceApiUrl ?? new URL(sandbox!.url);

let stopping = false;
const sandboxDemo = sandbox && { authorization: `Bearer ${sandbox.demo.user.token}`, pin: sandbox.demo.user.pin };
const gateway = createGateway({ ...config, paceApiUrl }, { logger, isShuttingDown: () => stopping, ...(sandboxDemo && { sandboxDemo }) });
const server = createServer(gateway);
server.listen(config.port, config.host, () => {
  const { port } = server.address() as AddressInfo;
  logger.info({ port, upstream: paceApiUrl.origin }, `GraphQL gateway ready at http://localhost:${port}/graphql`);
  if (sandbox) printSandboxHelp(sandbox, port);
});

function printSandboxHelp(running: RunningSandbox, port: number): void {
  const { user, unlinked } = running.demo;
  // Demo credentials of the local sandbox only: printed to the terminal, never through the logger.
  console.log(
    [
      '',
      `  Sandbox demo account (open http://localhost:${port}/graphql and press Run):`,
      `    Authorization: Bearer ${user.token}`,
      `    pin: ${user.pin}    password: ${user.password}`,
      `  Account without a linked identity: Bearer ${unlinked.token}`,
      '',
    ].join('\n'),
  );
}

async function shutdown(signal: string): Promise<void> {
  if (stopping) return; // npm forwards the signal too: the second one changes nothing
  stopping = true;
  const started = performance.now();
  logger.info({ signal }, 'shutting down: draining in-flight requests');
  const deadline = setTimeout(() => {
    logger.warn('shutdown timeout: closing remaining connections');
    server.closeAllConnections();
  }, config.shutdownTimeoutMs);
  deadline.unref();
  await new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeIdleConnections();
  });
  let code = 0;
  try {
    await gateway.dispose();
    await sandbox?.close();
    // The spans of the drained requests, within what is left of the budget.
    await tracing?.shutdown(config.shutdownTimeoutMs - (performance.now() - started));
    logger.info('stopped');
  } catch (error) {
    code = 1;
    logger.error({ err: error }, 'shutdown failed');
  }
  process.exit(code);
}
process.on('SIGTERM', (signal) => void shutdown(signal));
process.on('SIGINT', (signal) => void shutdown(signal));
