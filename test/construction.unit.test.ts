/** Options are checked once, at construction, with messages that say what is wrong. */
import { describe, expect, it } from 'vitest';
import { MemoryGuardStore } from '../src/security/guard-store.js';
import { PinGuard } from '../src/security/pin-guard.js';
import { PaceClient } from '../src/upstream/client.js';

const baseUrl = new URL('https://api.pace.cloud/user/2024-1');

describe('PaceClient', () => {
  it.each([
    [{ baseUrl: new URL('ftp://api.pace.cloud'), timeoutMs: 1, connections: 1 }, 'PaceClient: baseUrl must be an http(s) URL'],
    [{ baseUrl, timeoutMs: 0, connections: 1 }, 'PaceClient: timeoutMs must be a positive integer, got 0'],
    [{ baseUrl, timeoutMs: 1.5, connections: 1 }, 'PaceClient: timeoutMs must be a positive integer, got 1.5'],
    [{ baseUrl, timeoutMs: 1, connections: -3 }, 'PaceClient: connections must be a positive integer, got -3'],
    [{ baseUrl, timeoutMs: 1, connections: 1, maxBodyBytes: Number.NaN }, 'PaceClient: maxBodyBytes must be a positive integer, got NaN'],
  ])('rejects %j', (options, message) => {
    expect(() => new PaceClient(options)).toThrowError(new TypeError(message));
  });

  it('accepts valid options', async () => {
    const client = new PaceClient({ baseUrl, timeoutMs: 1000, connections: 4 });
    await client.close();
  });
});

describe('PinGuard', () => {
  it.each([
    [0, 900, 'PinGuard: pinMaxFailures must be a positive integer, got 0'],
    [5, 0.5, 'PinGuard: pinFailureWindowSeconds must be a positive integer, got 0.5'],
  ])('rejects pinMaxFailures=%j pinFailureWindowSeconds=%j', async (pinMaxFailures, pinFailureWindowSeconds, message) => {
    const store = new MemoryGuardStore();
    expect(() => new PinGuard({ store, pinMaxFailures, pinFailureWindowSeconds })).toThrowError(new TypeError(message));
    await store.close();
  });
});
