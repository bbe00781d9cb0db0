// Fast stand-in for PACE: POST /user/2024-1/user/otp -> 201 {"otp","expiresAt"}, keep-alive.
// Also an OTLP receiver that discards: POST /v1/traces -> 200 (the gateway-otel target exports here),
// and PACE ID's realm as Keycloak serves it (BENCH_REALM_PATH, e.g. /auth/realms/pace): the key set
// of gateway-verified's tokens at <realm>/protocol/openid-connect/certs (BENCH_JWKS) and the discovery
// document at <realm>/.well-known/openid-configuration.
import { createServer } from 'node:http';
import { randomUUID } from 'node:crypto';

const OTP_PATH = '/user/2024-1/user/otp';
const REALM_PATH = process.env.BENCH_REALM_PATH;
const CERTS_PATH = `${REALM_PATH}/protocol/openid-connect/certs`;
const issuer = `http://127.0.0.1:${process.env.PORT}${REALM_PATH}`;
const DISCOVERY = JSON.stringify({
  issuer,
  jwks_uri: `${issuer}/protocol/openid-connect/certs`,
  token_endpoint: `${issuer}/protocol/openid-connect/token`,
  authorization_endpoint: `${issuer}/protocol/openid-connect/auth`,
  userinfo_endpoint: `${issuer}/protocol/openid-connect/userinfo`,
  id_token_signing_alg_values_supported: ['RS256', 'ES256'],
  response_types_supported: ['code'],
  subject_types_supported: ['public'],
});
const json = (res, status, body) => res.writeHead(status, { 'Content-Type': 'application/json' }).end(body);

const server = createServer((req, res) => {
  req.resume(); // drain the body; the stub does not care what it says
  req.on('end', () => {
    if (req.method === 'GET' && REALM_PATH && req.url === CERTS_PATH) return json(res, 200, process.env.BENCH_JWKS);
    if (req.method === 'GET' && REALM_PATH && req.url === `${REALM_PATH}/.well-known/openid-configuration`) return json(res, 200, DISCOVERY);
    if (req.method === 'POST' && req.url === '/v1/traces') {
      res.writeHead(200, { 'Content-Type': 'application/x-protobuf', 'Content-Length': 0 }).end(); // an empty ExportTraceServiceResponse
      return;
    }
    if (req.method !== 'POST' || req.url !== OTP_PATH) return json(res, 404, '{"error":"not found"}');
    // PACE refuses a call without a token: a target that does not forward Authorization fails the check.
    if (!req.headers.authorization?.startsWith('Bearer ')) return json(res, 401, '{"error":"unauthorized"}');
    const body = JSON.stringify({ otp: '123456', expiresAt: new Date(Date.now() + 600_000).toISOString() });
    res.writeHead(201, {
      'Content-Type': 'application/json',
      'Content-Length': Buffer.byteLength(body),
      'Request-Id': randomUUID(),
    });
    res.end(body);
  });
});
server.keepAliveTimeout = 65_000;
server.headersTimeout = 66_000;
server.listen(Number(process.env.PORT), '127.0.0.1');
process.on('disconnect', () => process.exit(0)); // parent gone: go too
