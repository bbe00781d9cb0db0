// Fast stand-in for PACE: POST /user/2024-1/user/otp -> 201 {"otp","expiresAt"}, keep-alive.
// Also an OTLP receiver that discards: POST /v1/traces -> 200 (the gateway-otel target exports here),
// and the key set of gateway-verified's tokens: GET /.well-known/jwks.json (BENCH_JWKS).
import { createServer } from 'node:http';
import { randomUUID } from 'node:crypto';

const OTP_PATH = '/user/2024-1/user/otp';

const server = createServer((req, res) => {
  req.resume(); // drain the body; the stub does not care what it says
  req.on('end', () => {
    if (req.method === 'GET' && req.url === '/.well-known/jwks.json' && process.env.BENCH_JWKS) {
      res.writeHead(200, { 'Content-Type': 'application/json' }).end(process.env.BENCH_JWKS); // gateway-verified's key set
      return;
    }
    if (req.method === 'POST' && req.url === '/v1/traces') {
      res.writeHead(200, { 'Content-Type': 'application/x-protobuf', 'Content-Length': 0 }).end(); // an empty ExportTraceServiceResponse
      return;
    }
    if (req.method !== 'POST' || req.url !== OTP_PATH) {
      res.writeHead(404, { 'Content-Type': 'application/json' }).end('{"error":"not found"}');
      return;
    }
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
