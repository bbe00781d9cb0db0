/** `npm start` with the embedded sandbox: the demo token it printed is still valid after a restart. */
import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { EMBEDDED_SANDBOX_PORT } from '../src/sandbox/index.js';
import { printedDemoToken, startGatewayProcess } from './helpers/processes.js';
import { bearer, CREATE_OTP, graphql } from './helpers/servers.js';

const portIsFree = (port: number) =>
  new Promise<boolean>((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });

describe('npm start across restarts', () => {
  it('prints the same demo token, and the new process accepts the one printed before', async (context) => {
    // Another process (a developer's npm start, a parallel test) holding the port makes this moot.
    if (!(await portIsFree(EMBEDDED_SANDBOX_PORT))) context.skip(`port ${EMBEDDED_SANDBOX_PORT} is taken`);
    const first = await startGatewayProcess({});
    const token = printedDemoToken(first);
    expect(first.output()).not.toContain('usual port is taken');
    await first.stop();

    const second = await startGatewayProcess({});
    try {
      expect(printedDemoToken(second)).toBe(token);
      const { body } = await graphql(second.url, CREATE_OTP, { variables: { input: { pin: '1234' } }, headers: bearer(token) });
      expect(body.data?.['createOtp'].__typename).toBe('Otp');
    } finally {
      await second.stop();
    }
  }, 60_000);

  it('falls back to any port, saying its tokens die with it, when the usual one is taken', async () => {
    const blocker = createServer();
    const blocked = await new Promise<boolean>((resolve) => {
      blocker.once('error', () => resolve(false));
      blocker.listen(EMBEDDED_SANDBOX_PORT, '127.0.0.1', () => resolve(true));
    });
    const started = await startGatewayProcess({});
    try {
      expect(started.output()).toContain('usual port is taken'); // taken by us or by someone else: either way
      const { body } = await graphql(started.url, CREATE_OTP, { variables: { input: { pin: '1234' } }, headers: bearer(printedDemoToken(started)) });
      expect(body.data?.['createOtp'].__typename).toBe('Otp');
    } finally {
      await started.stop();
      if (blocked) await new Promise((resolve) => blocker.close(resolve));
    }
  }, 60_000);
});
