/**
 * The guard over a store that cannot take writes for a while (the memory store behind a switch): no
 * outcome is lost, and the account is not admitted on this replica while one is unwritten.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { InvalidCredentialsError, RateLimitedError, RateLimitStoreUnavailableError, UpstreamTimeoutError, UpstreamUnavailableError } from '../src/errors.js';
import { MemoryGuardStore, type Admission, type AttemptOutcome, type GuardStore } from '../src/security/guard-store.js';
import { PinGuard } from '../src/security/pin-guard.js';

/**
 * The memory store, with writes refused while `down`; `restart()` forgets the slots in flight, as a
 * Redis does when they expire (or it restarts) during an outage. Written outcomes are logged, in order.
 */
class OutageStore implements GuardStore {
  readonly inner = new MemoryGuardStore();
  readonly written: AttemptOutcome[] = [];
  down = false;
  readonly #admitted = new Map<string, string>();

  async begin(account: string, slot: string, limit: number, windowSeconds: number): Promise<Admission> {
    if (this.down) throw new Error('ECONNREFUSED');
    const admission = await this.inner.begin(account, slot, limit, windowSeconds);
    if (admission.admitted) this.#admitted.set(slot, account);
    return admission;
  }
  async end(account: string, slot: string, outcome: AttemptOutcome, windowSeconds: number): Promise<void> {
    if (this.down) throw new Error('ECONNREFUSED');
    this.written.push(outcome);
    await this.inner.end(account, slot, outcome, windowSeconds);
  }
  async restart(): Promise<void> {
    for (const [slot, account] of this.#admitted) await this.inner.end(account, slot, 'other', 900);
    this.down = false;
  }
  checkReady = async () => !this.down;
  close = () => this.inner.close();
}

const guards: PinGuard[] = [];
afterEach(async () => {
  await Promise.all(guards.splice(0).map((guard) => guard.close()));
});

function guarded(store: GuardStore): PinGuard {
  const guard = new PinGuard({ store, pinMaxFailures: 5, pinFailureWindowSeconds: 900 });
  guards.push(guard);
  return guard;
}

/** A check that fails as `error` says, counting the calls (the guesses that reached PACE). */
const pace = { calls: 0 };
const checkFailing = (error: () => Error) => async () => {
  pace.calls += 1;
  throw error();
};
/** PACE's answers held back until `release()`. */
function gate(): { answered: Promise<void>; release: () => void } {
  let release!: () => void;
  const answered = new Promise<void>((resolve) => (release = resolve));
  return { answered, release };
}
const settle = (promise: Promise<unknown>) => promise.then(() => 'ok', (error: Error) => error.constructor.name);

describe('PinGuard, store outage while checks are in flight', () => {
  it('keeps the outcomes the store did not take, refuses the account meanwhile, and writes them in order once it answers', async () => {
    const store = new OutageStore();
    const guard = guarded(store);
    pace.calls = 0;
    const { answered, release } = gate();
    // Five wrong PINs admitted; the store goes down before PACE answers them.
    const inFlight = Array.from({ length: 5 }, () =>
      settle(guard.guard('acct', async () => {
        pace.calls += 1;
        await answered;
        throw new InvalidCredentialsError();
      })),
    );
    await sleep(10);
    store.down = true;
    release();
    expect(await Promise.all(inFlight)).toEqual(Array(5).fill('InvalidCredentialsError'));
    await sleep(20); // the writes have failed

    // The store is back but has lost the slots: without the kept outcomes the account would be free.
    await store.restart();
    expect(await settle(guard.guard('acct', checkFailing(() => new InvalidCredentialsError())))).toMatch(/RateLimitStoreUnavailableError|RateLimitedError/);
    await sleep(500); // the retries land
    expect(store.written).toEqual(Array(5).fill('failure'));
    for (let i = 0; i < 20; i += 1) expect(await settle(guard.guard('acct', checkFailing(() => new InvalidCredentialsError())))).toBe('RateLimitedError');
    expect(pace.calls).toBe(5);
    // Another account was never held up.
    expect(await settle(guard.guard('other', async () => 'otp'))).toBe('ok');
  });

  it('while an outcome is unwritten the account gets RATE_LIMIT_UNAVAILABLE without PACE being asked', async () => {
    const store = new OutageStore();
    const guard = guarded(store);
    pace.calls = 0;
    const { answered, release } = gate();
    const check = settle(guard.guard('acct', async () => {
      await answered;
      throw new InvalidCredentialsError();
    }));
    store.down = true;
    release();
    await check;
    await sleep(5);
    store.down = false; // answering again, the retry not yet due
    const refused = await guard.guard('acct', checkFailing(() => new InvalidCredentialsError())).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(RateLimitStoreUnavailableError);
    expect(pace.calls).toBe(0);
    await sleep(300);
    expect(store.written).toEqual(['failure']);
    expect(await settle(guard.guard('acct', checkFailing(() => new InvalidCredentialsError())))).toBe('InvalidCredentialsError');
  });
});

describe('PinGuard, a check whose outcome is unknown', () => {
  it.each([
    ['a timeout after the request was sent', () => new UpstreamTimeoutError()],
    ['a connection broken after the request was sent', () => new UpstreamUnavailableError(new Error('ECONNRESET'))],
  ])('%s counts as a failure', async (_case, error) => {
    const guard = guarded(new MemoryGuardStore());
    pace.calls = 0;
    for (let i = 0; i < 5; i += 1) expect(await settle(guard.guard('acct', checkFailing(error)))).toBe(error().constructor.name);
    const refused = await guard.guard('acct', async () => 'otp').catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(RateLimitedError);
    expect((refused as RateLimitedError).retryAfterSeconds).toBeGreaterThan(890);
  });

  it.each([
    ['a timeout while still queued', () => new UpstreamTimeoutError(undefined, false)],
    ['connect refused', () => new UpstreamUnavailableError(new Error('ECONNREFUSED'), false)],
  ])('%s (nothing sent) counts nothing', async (_case, error) => {
    const guard = guarded(new MemoryGuardStore());
    for (let i = 0; i < 8; i += 1) expect(await settle(guard.guard('acct', checkFailing(error)))).toBe(error().constructor.name);
    expect(await settle(guard.guard('acct', async () => 'otp'))).toBe('ok');
  });
});
