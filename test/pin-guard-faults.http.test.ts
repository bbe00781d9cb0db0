/**
 * The guard's promise when PACE misbehaves, over real HTTP against a scripted PACE (the sandbox
 * cannot time out or break a connection on cue): a check PACE may have received counts as a failure
 * whatever came back; a check that never left the gateway counts nothing.
 */
import type { ServerResponse } from 'node:http';
import { describe, expect, it } from 'vitest';
import { errors, jsonReply, type Reply } from '../src/sandbox/replies.js';
import { createOtp, listen, startGateway, startScriptedGateway, type ScriptedRequest } from './helpers/servers.js';
import { freePort } from './helpers/processes.js';

const RIGHT_PIN = '1234';
/** A JWT-shaped token of `sub` (no verification here: the guard keys by the unverified sub). */
const tokenOf = (sub: string) => ['{"alg":"none"}', JSON.stringify({ sub, scope: 'user:otp:create' })].map((part) => Buffer.from(part).toString('base64url')).join('.') + '.sig';
const TOKEN = tokenOf('guessed-account');

const send = (response: ServerResponse, reply: Reply) => void (response.destroyed || response.writeHead(reply.status, reply.headers).end(reply.body));
const otp = () => jsonReply(201, { otp: '123456', expiresAt: new Date(Date.now() + 600_000).toISOString() });
/** PACE: the right PIN gets an OTP at once; a wrong one is answered as `wrong` says. */
const pace = (wrong: (response: ServerResponse) => void) => (request: ScriptedRequest, response: ServerResponse) => {
  if ((JSON.parse(request.body) as { pin?: string }).pin === RIGHT_PIN) send(response, otp());
  else wrong(response);
};

/** The union member, or the top-level error code. */
async function attempt(url: string, pin: string): Promise<string> {
  const { body } = await createOtp(url, { pin }, TOKEN);
  return (body.data?.['createOtp']?.__typename as string | undefined) ?? (body.errors?.[0]?.extensions?.['code'] as string);
}

/** `waves` rounds of `size` wrong PINs in parallel: what the client saw, in order. */
async function guess(url: string, waves: number, size: number): Promise<string[]> {
  const seen: string[] = [];
  for (let wave = 0; wave < waves; wave += 1) seen.push(...(await Promise.all(Array.from({ length: size }, () => attempt(url, '0000')))));
  return seen;
}

describe('PIN guard, a check whose outcome is unknown counts as a failure', () => {
  it('a slow PACE (wrong PINs answered after 1.5 s, UPSTREAM_TIMEOUT_MS=1000): of 30 wrong PINs at most 5 reach PACE; the right PIN then is RateLimited', async () => {
    await using gw = await startScriptedGateway(pace((response) => setTimeout(() => send(response, errors.notFound('No user found for the given PIN or password')), 1_500)), { UPSTREAM_TIMEOUT_MS: '1000' });
    const seen = await guess(gw.url, 6, 5);
    expect(gw.upstream.requests.length).toBeLessThanOrEqual(5);
    expect(seen.filter((result) => result === 'UPSTREAM_TIMEOUT')).toHaveLength(gw.upstream.requests.length);
    expect(seen.filter((result) => result === 'RateLimited')).toHaveLength(30 - gw.upstream.requests.length);
    expect(await attempt(gw.url, RIGHT_PIN)).toBe('RateLimited');
    expect(gw.upstream.requests.length).toBeLessThanOrEqual(5);
  });

  it.each([
    ['a connection reset after the request was sent', 'UPSTREAM_UNAVAILABLE', (response: ServerResponse) => response.socket?.destroy()],
    ['an unreadable answer', 'UPSTREAM_BAD_RESPONSE', (response: ServerResponse) => send(response, { status: 200, headers: { 'content-type': 'application/json' }, body: '{"otp":' })],
    ['a 500', 'UPSTREAM_BAD_RESPONSE', (response: ServerResponse) => send(response, jsonReply(500, { errors: [{ status: '500', title: 'Internal Server Error' }] }))],
  ])('%s counts: the account locks after five', async (_case, code, wrong) => {
    await using gw = await startScriptedGateway(pace(wrong));
    expect(await guess(gw.url, 5, 1)).toEqual(Array(5).fill(code));
    expect(await attempt(gw.url, RIGHT_PIN)).toBe('RateLimited');
    expect(gw.upstream.requests).toHaveLength(5);
  });

  it('a PACE that refuses the connection received nothing: nothing counts, and the right PIN works once it is back', async () => {
    const port = await freePort(); // nothing listens here yet
    await using gw = await startGateway(`http://127.0.0.1:${port}/user/2024-1`);
    expect(await guess(gw.url, 8, 1)).toEqual(Array(8).fill('UPSTREAM_UNAVAILABLE'));
    await using _pace = await listen((_request, response) => send(response, otp()), port);
    expect(await attempt(gw.url, RIGHT_PIN)).toBe('Otp');
  });
});
