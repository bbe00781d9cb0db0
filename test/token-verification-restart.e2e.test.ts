/** `npm start` with the embedded sandbox: the demo token it printed is still valid after a restart. */
import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { freePort, printedDemoToken, startGatewayProcess } from './helpers/processes.js';
import { bearer, CREATE_OTP, graphql } from './helpers/servers.js';

const otpWith = async (url: string, token: string) =>
  (await graphql(url, CREATE_OTP, { variables: { input: { pin: '1234' } }, headers: bearer(token) })).body.data?.['createOtp'].__typename;

// SANDBOX_PORT stands in for the default 4011, which parallel test processes may hold.
describe('npm start across restarts', () => {
  it('prints the same demo token, and the new process accepts the one printed before', async () => {
    const env = { SANDBOX_PORT: String(await freePort()) };
    const first = await startGatewayProcess(env);
    const token = printedDemoToken(first);
    expect(first.output()).not.toContain('usual port (SANDBOX_PORT) is taken');
    expect(await otpWith(first.url, token)).toBe('Otp');
    await first.stop();

    const second = await startGatewayProcess(env);
    try {
      expect(printedDemoToken(second)).toBe(token);
      expect(await otpWith(second.url, token)).toBe('Otp');
    } finally {
      await second.stop();
    }
  }, 60_000);

  it('falls back to any port, saying its tokens die with it, when its port is taken', async () => {
    const blocker = createServer();
    const port = await freePort();
    await new Promise<void>((resolve) => blocker.listen(port, '127.0.0.1', resolve));
    try {
      const started = await startGatewayProcess({ SANDBOX_PORT: String(port) });
      try {
        expect(started.output()).toContain('usual port (SANDBOX_PORT) is taken');
        expect(await otpWith(started.url, printedDemoToken(started))).toBe('Otp');
      } finally {
        await started.stop();
      }
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  }, 60_000);
});
