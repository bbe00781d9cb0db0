// No GraphQL library: forward the POST with an undici Pool and wrap the answer in GraphQL-shaped JSON.
import { createServer } from 'node:http';
import { createRequire } from 'node:module';

const requireFromRoot = createRequire(new URL('../../package.json', import.meta.url));
const { Pool } = requireFromRoot('undici');

const upstream = new URL(`${process.env.PACE_API_URL}/user/otp`);
const pool = new Pool(upstream.origin, { connections: 128 });

async function createOtp(body, authorization) {
  const { query } = JSON.parse(body);
  const pin = /pin:\s*"([^"]*)"/.exec(query)?.[1];
  const res = await pool.request({
    path: upstream.pathname,
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization },
    body: JSON.stringify({ pin }),
  });
  const otp = await res.body.json();
  if (res.statusCode !== 201) throw new Error(`upstream ${res.statusCode}`);
  return { data: { createOtp: { __typename: 'Otp', otp: otp.otp, expiresAt: otp.expiresAt } } };
}

createServer((req, res) => {
  let body = '';
  req.setEncoding('utf8');
  req.on('data', (chunk) => (body += chunk));
  req.on('end', () => {
    createOtp(body, req.headers.authorization)
      .catch((err) => ({ errors: [{ message: String(err.message) }] }))
      .then((result) => {
        res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(result));
      });
  });
}).listen(Number(process.env.PORT), '127.0.0.1');
process.on('disconnect', () => process.exit(0));
process.on('SIGTERM', () => process.exit(0)); // a clean exit: node --cpu-prof writes its profile (bench/profile.mjs)
