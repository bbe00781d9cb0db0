/**
 * ioredis is loaded with the PIN guard's first Redis connection, never by a gateway without
 * REDIS_URL: it costs every start tens of milliseconds, and a library loaded into the process can slow
 * all of it (ioredis 6's String subclass did, docs/performance.md). Checked in a fresh process, as
 * the module cache of a test worker holds whatever other tests loaded.
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

const ROOT = new URL('..', import.meta.url);

/** Runs `body` in a fresh Node with the gateway's source at hand; answers whether ioredis got loaded. */
function ioredisLoadedAfter(body: string): boolean {
  const script = `
    import { createRequire } from 'node:module';
    const { createGateway } = await import('./src/gateway.ts');
    const { loadConfig } = await import('./src/config.ts');
    const { RedisGuardStore } = await import('./src/security/redis-guard-store.ts');
    const pace = new URL('http://127.0.0.1:9/user/2024-1');
    ${body}
    const cache = createRequire(import.meta.url).cache;
    console.log(JSON.stringify(Object.keys(cache).some((file) => file.includes('/node_modules/ioredis/'))));
  `;
  const run = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: ROOT, encoding: 'utf8', timeout: 30_000 });
  expect(run.status, run.stderr).toBe(0);
  return JSON.parse(run.stdout.trim().split('\n').at(-1)!) as boolean;
}

describe('ioredis', () => {
  it('is not loaded by a gateway without REDIS_URL', () => {
    const loaded = ioredisLoadedAfter(`
      const gateway = createGateway({ ...loadConfig({ NODE_ENV: 'production', PACE_API_URL: pace.href, LOG_LEVEL: 'silent' }), paceApiUrl: pace });
      await gateway.fetch('http://localhost/ready');
      await gateway.dispose();
    `);
    expect(loaded).toBe(false);
  });

  it('is loaded by the Redis store when it first connects', () => {
    const loaded = ioredisLoadedAfter(`
      const store = new RedisGuardStore({ seeds: [new URL('redis://127.0.0.1:1')], inFlightTtlMs: 1000, logger: { error() {}, warn() {} } });
      await store.checkReady();
      await store.close();
    `);
    expect(loaded).toBe(true);
  });
});
