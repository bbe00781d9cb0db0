/** The operator's endpoints: /health, /ready (503 while shutting down), /metrics. */
import { request } from 'undici';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { createGateway } from '../src/gateway.js';
import { GatewayMetrics } from '../src/observability/metrics.js';
import { DEMO } from '../src/sandbox/index.js';
import { useSandboxedGateway } from './helpers/sandbox.js';
import { createOtp } from './helpers/servers.js';

const setup = useSandboxedGateway();

describe('probes and metrics', () => {
  it('GET /health and /ready answer 200', async () => {
    for (const path of ['/health', '/ready']) {
      const response = await request(`${setup.gateway.url}${path}`);
      expect(response.statusCode).toBe(200);
      await response.body.text();
    }
  });

  it('GET /ready answers 503 once the host is shutting down', async () => {
    let shuttingDown = false;
    const gw = createGateway({ ...loadConfig({ LOG_LEVEL: 'silent' }), paceApiUrl: new URL(setup.sandbox.url) }, { isShuttingDown: () => shuttingDown });
    expect((await gw.fetch('http://gateway/ready')).status).toBe(200);
    shuttingDown = true;
    expect((await gw.fetch('http://gateway/ready')).status).toBe(503);
    await gw.dispose();
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
