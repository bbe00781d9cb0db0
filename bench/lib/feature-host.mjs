// The host of bench/feature-costs.mjs: one copy of the gateway per variant (FEATURE_VARIANTS, loaded
// through ./variant-loader.mjs), each served by node:http on a port of its own; their ports go to the
// parent over IPC. Logs go where the parent put stdout, as in production.
import { createServer } from 'node:http';

const variants = JSON.parse(process.env.FEATURE_VARIANTS);
const ports = {};
for (const [name, variant] of Object.entries(variants)) {
  const copy = (module) => new URL(`../../dist/${module}?variant=${encodeURIComponent(name)}`, import.meta.url).href;
  const { loadConfig } = await import(copy('config.js'));
  const { createGateway } = await import(copy('gateway.js'));
  const config = loadConfig({ ...process.env, ...variant.env });
  const server = createServer(createGateway({ ...config, paceApiUrl: config.paceApiUrl }));
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  ports[name] = server.address().port;
}
process.send(ports);
process.on('disconnect', () => process.exit(0));
process.on('SIGTERM', () => process.exit(0));
