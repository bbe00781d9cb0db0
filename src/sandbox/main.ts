// `npm run sandbox`: serves the sandbox on SANDBOX_PORT (default 4010) / HOST (default 127.0.0.1).
import { DEFAULT_SANDBOX_PORT, REALM_ROUTES, startSandbox } from './index.js';

const port = parsePort(process.env['SANDBOX_PORT'] ?? String(DEFAULT_SANDBOX_PORT));
const host = process.env['HOST'] ?? '127.0.0.1';
const sandbox = await startSandbox({ port, host });

const { user, passwordOnly, unlinked, noScope } = sandbox.demo;
// Demo credentials are printed on purpose: they are public fixtures, not secrets.
console.log(`PACE sandbox listening on ${sandbox.url}
  POST ${sandbox.url}/user/otp
  GET  ${sandbox.url}/user/pin-or-password

Identity provider, a Keycloak realm \`pace\` (RS256 access tokens):
  issuer     ${sandbox.issuer}   (PACE_TOKEN_ISSUER)
  discovery  ${sandbox.discoveryUrl}
  key set    ${sandbox.jwksUrl}
  rotate     POST ${new URL(sandbox.url).origin}${REALM_ROUTES.rotateKey}?keepPreviousSeconds=600
             (a new signing key; the previous one stays published that long, 0 removes it)

Demo accounts (Authorization: Bearer <token>):
  user          pin ${user.pin}, password ${user.password}
                ${user.token}
  passwordOnly  password ${passwordOnly.password} (no PIN)
                ${passwordOnly.token}
  unlinked      pin ${unlinked.pin}, password ${unlinked.password} (no linked identity: 401)
                ${unlinked.token}
  noScope       token without user:otp:create / user:user:read (403)
                ${noScope.token}`);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    sandbox.close().then(
      () => console.log('PACE sandbox stopped'),
      (error: unknown) => {
        console.error('PACE sandbox failed to close', error);
        process.exitCode = 1;
      },
    );
  });
}

function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    console.error(`SANDBOX_PORT must be an integer between 0 and 65535, got ${JSON.stringify(value)}`);
    process.exit(1);
  }
  return port;
}
