/**
 * The operator's endpoints: /health, /ready (JSON bodies in the actuator shape, 503 while shutting
 * down), /metrics (with a gauge per dependency; not on the API port in production unless asked).
 * Dependencies failing after start: test/readiness.e2e.test.ts.
 */
import { request } from 'undici';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.js';
import { createGateway } from '../src/gateway.js';
import { GatewayMetrics } from '../src/observability/metrics.js';
import { DEMO } from '../src/sandbox/index.js';
import { useSandboxedGateway } from './helpers/sandbox.js';
import { createOtp, startGateway } from './helpers/servers.js';

const setup = useSandboxedGateway();

describe('probes and metrics', () => {
  it('GET /health and /ready answer 200 with a JSON body in the actuator shape', async () => {
    const health = await request(`${setup.gateway.url}/health`);
    expect(health.statusCode).toBe(200);
    expect(health.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(health.headers['cache-control']).toBe('no-store');
    expect(await health.body.json()).toEqual({ status: 'UP' });
    const ready = await request(`${setup.gateway.url}/ready`);
    expect(ready.statusCode).toBe(200);
    expect(ready.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(await ready.body.json()).toEqual({ status: 'UP', components: { guardStore: { status: 'UP' }, tokenKeys: { status: 'UP' } } });
  });

  it('GET /ready answers 503 OUT_OF_SERVICE once the host is shutting down; /health stays UP', async () => {
    let shuttingDown = false;
    const gw = createGateway({ ...loadConfig({ LOG_LEVEL: 'silent' }), paceApiUrl: new URL(setup.sandbox.url) }, { isShuttingDown: () => shuttingDown });
    expect((await gw.fetch('http://gateway/ready')).status).toBe(200);
    shuttingDown = true;
    const draining = await gw.fetch('http://gateway/ready');
    expect(draining.status).toBe(503);
    expect(await draining.json()).toEqual({ status: 'OUT_OF_SERVICE', components: { guardStore: { status: 'UP' }, tokenKeys: { status: 'UP' } } });
    expect(await (await gw.fetch('http://gateway/health')).json()).toEqual({ status: 'UP' });
    await gw.dispose();
  });

  it('GET /metrics has a gauge per dependency', async () => {
    const text = await (await request(`${setup.gateway.url}/metrics`)).body.text();
    expect(text).toContain('pace_otp_gateway_dependency_up{dependency="guardStore"} 1');
    expect(text).toContain('pace_otp_gateway_dependency_up{dependency="tokenKeys"} 1');
  });

  it('GET /metrics counts requests by result and times upstream calls by status', async () => {
    await createOtp(setup.gateway.url, { pin: DEMO.user.pin }, DEMO.user.token);
    await createOtp(setup.gateway.url, { pin: '0000' }, DEMO.unlinked.token);
    const response = await request(`${setup.gateway.url}/metrics`);
    expect(response.headers['content-type']).toMatch(/^text\/plain/);
    const text = await response.body.text();
    expect(text).toMatch(/pace_otp_gateway_requests_total\{result="Otp",status="200"\} [1-9]/);
    expect(text).toMatch(/pace_otp_gateway_requests_total\{result="MissingLinkedIdentity",status="200"\} [1-9]/);
    expect(text).toMatch(/pace_otp_gateway_upstream_duration_seconds_count\{operation="createOtp",status="201"\} [1-9]/);
    expect(text).toMatch(/pace_otp_gateway_upstream_duration_seconds_count\{operation="createOtp",status="401"\} [1-9]/);
    // The process's own metrics are the host's (the server adds them once: production.e2e.test.ts):
    // prom-client starts monitors for them that a disposed gateway could never stop.
    expect(text).not.toContain('process_resident_memory_bytes');
    expect(text).not.toContain('nodejs_eventloop_lag');
  });

  it('counts the process metrics when the host asks for them', async () => {
    const metrics = new GatewayMetrics({ processMetrics: true });
    const text = await metrics.registry.metrics();
    expect(text).toContain('process_resident_memory_bytes');
    expect(text).toContain('nodejs_eventloop_lag_seconds');
  });
});

describe('/metrics in production', () => {
  const production = { NODE_ENV: 'production', PACE_API_URL: 'https://api.pace.example/user/2024-1', LOG_LEVEL: 'silent' };

  it('is not served on the API port without METRICS_PORT (404), unless METRICS_ON_API_PORT=true', async () => {
    await using hidden = await startGateway(setup.sandbox.url, production);
    const refused = await request(`${hidden.url}/metrics`);
    expect(refused.statusCode).toBe(404);
    expect(await refused.body.text()).not.toContain('pace_otp_gateway');
    await using shown = await startGateway(setup.sandbox.url, { ...production, METRICS_ON_API_PORT: 'true' });
    const served = await request(`${shown.url}/metrics`);
    expect(served.statusCode).toBe(200);
    expect(await served.body.text()).toContain('pace_otp_gateway_dependency_up');
  });

  it('METRICS_ON_API_PORT=true with METRICS_PORT is a configuration error', () => {
    expect(() => loadConfig({ ...production, METRICS_PORT: '9464', METRICS_ON_API_PORT: 'true' })).toThrow(ConfigError);
    expect(loadConfig({ ...production, METRICS_PORT: '9464' }).metricsOnApiPort).toBe(false);
    expect(loadConfig({ METRICS_PORT: '9464' }).metricsOnApiPort).toBe(false);
    expect(loadConfig({}).metricsOnApiPort).toBe(true);
  });
});
