/**
 * No PIN, password, OTP or token reaches a log line or an error, on any path: success, every typed
 * failure, every upstream fault. The gateway logs at `trace`, its most talkative level.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { DEMO, startSandbox, type RunningSandbox } from '../src/sandbox/index.js';
import { bearer, CREATE_OTP, graphql, scriptedUpstream, startGateway, type Listening, type RunningGateway } from './helpers/servers.js';
import { SECRET_OTP, SECRET_PASSWORD, SECRET_PIN, SECRET_TOKEN, SECRET_TOKEN_PARTS } from './helpers/markers.js';


let sandbox: RunningSandbox;
let faulty: Listening;
const gateways: RunningGateway[] = [];
const otpsSeen: string[] = [];

beforeAll(async () => {
  sandbox = await startSandbox();
  // Echoes secrets back in every way an upstream could: in 422 details, error bodies and headers.
  faulty = await scriptedUpstream((request, res) => {
    const mode = request.headers['x-request-id'] ?? '';
    const body = request.body;
    if (request.headers.authorization?.includes('422')) {
      res.writeHead(422, { 'content-type': 'application/vnd.api+json' }).end(JSON.stringify({ errors: [{ detail: `bad pin in ${body}`, source: { pointer: '/pin' } }] }));
    } else if (request.headers.authorization?.includes('500')) {
      res.writeHead(500, { 'content-type': 'text/plain' }).end(`crash with ${body} ${request.headers.authorization} ${mode}`);
    } else {
      res.writeHead(201, { 'content-type': 'application/json' }).end(JSON.stringify({ otp: SECRET_OTP, expiresAt: 'not-a-date' }));
    }
  });
  gateways.push(await startGateway(sandbox.url), await startGateway(`${faulty.url}/user/2024-1`));
});
afterAll(async () => {
  await Promise.all(gateways.map((g) => g.close()));
  await sandbox?.close();
  await faulty?.close();
});

it('keeps every secret out of logs and error messages on every path', async () => {
  const [sandboxed, scripted] = gateways as [RunningGateway, RunningGateway];
  const responses: string[] = [];
  const run = async (gateway: RunningGateway, input: Record<string, unknown>, headers: Record<string, string>) => {
    const { body } = await graphql(gateway.url, CREATE_OTP, { variables: { input }, headers });
    const otp = body.data?.['createOtp']?.otp;
    if (typeof otp === 'string') otpsSeen.push(otp);
    // What a client sees outside the OTP itself: the errors and the typed failures.
    responses.push(JSON.stringify(body.errors ?? []), JSON.stringify(otp === undefined ? body.data : {}));
  };

  await run(sandboxed, { pin: DEMO.user.pin }, bearer(DEMO.user.token)); // Otp
  await run(sandboxed, { password: DEMO.user.password }, bearer(DEMO.user.token)); // Otp
  await run(sandboxed, { pin: SECRET_PIN, password: SECRET_PASSWORD }, bearer(DEMO.user.token)); // InvalidCredentials
  await run(sandboxed, { pin: SECRET_PIN }, bearer(DEMO.unlinked.token)); // MissingLinkedIdentity
  await run(sandboxed, { pin: SECRET_PIN }, bearer(SECRET_TOKEN)); // Unauthenticated (upstream)
  await run(sandboxed, { pin: SECRET_PIN }, { authorization: `Bearer ${SECRET_TOKEN} x` }); // Unauthenticated (gateway)
  await run(sandboxed, { pin: SECRET_PIN }, bearer(DEMO.noScope.token)); // Forbidden
  await run(sandboxed, { pin: SECRET_PIN.repeat(200) }, bearer(SECRET_TOKEN)); // InvalidInput (gateway)
  await run(scripted, { pin: SECRET_PIN }, bearer(`${SECRET_TOKEN}422`)); // InvalidInput (upstream echoes the PIN)
  await run(scripted, { pin: SECRET_PIN, password: SECRET_PASSWORD }, bearer(`${SECRET_TOKEN}500`)); // UPSTREAM_BAD_RESPONSE
  await run(scripted, { pin: SECRET_PIN }, bearer(SECRET_TOKEN)); // malformed 201 holding an OTP
  // A syntax error and a variables error: Yoga's own paths.
  await graphql(sandboxed.url, `mutation { createOtp(input: {pin: "${SECRET_PIN}"}) { __typename `, { headers: bearer(SECRET_TOKEN) });
  await graphql(sandboxed.url, CREATE_OTP, { variables: { input: { pin: 12, password: SECRET_PASSWORD } }, headers: bearer(SECRET_TOKEN) });

  expect(otpsSeen).toHaveLength(2);
  const logs = gateways.flatMap((g) => g.logs).join('\n');
  expect(logs.length).toBeGreaterThan(1000); // the logs were really captured
  const everything = `${logs}\n${responses.join('\n')}`;
  for (const secret of [SECRET_PIN, SECRET_PASSWORD, SECRET_TOKEN, ...SECRET_TOKEN_PARTS, SECRET_OTP, DEMO.user.token, DEMO.user.password, ...otpsSeen]) {
    expect(everything).not.toContain(secret);
  }
});
