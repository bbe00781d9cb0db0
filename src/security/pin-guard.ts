/**
 * PIN-guessing defence: a stolen token plus a 4-digit PIN is 10,000 guesses from an OTP. The promise:
 * at most `pinMaxFailures` wrong guesses per account reach PACE in the window, whatever the caller does
 * (any number of tokens of the account, replicas, aliases or parallel requests). After that the
 * account is answered RateLimited without asking PACE, until enough failures leave the window; a
 * success clears the count.
 *
 * A check is admitted only while the account's failures in the window + the account's checks in
 * flight stay under the limit (one atomic step in the store). The price: one account has at most
 * `pinMaxFailures` checks in flight at a time; more at once get RateLimited with retryAfterSeconds 1.
 */
import { randomUUID } from 'node:crypto';
import { InvalidCredentialsError, RateLimitedError, RateLimitStoreUnavailableError } from '../errors.js';
import type { AttemptOutcome, FailureStore } from './failure-store.js';

export interface PinGuardOptions {
  readonly store: FailureStore;
  readonly pinMaxFailures: number;
  readonly pinFailureWindowSeconds: number;
}

export class PinGuard {
  readonly #store: FailureStore;
  readonly #pinMaxFailures: number;
  readonly #pinFailureWindowSeconds: number;

  constructor({ store, pinMaxFailures, pinFailureWindowSeconds }: PinGuardOptions) {
    if (!Number.isInteger(pinMaxFailures) || pinMaxFailures < 1) throw new TypeError(`PinGuard: pinMaxFailures must be a positive integer, got ${pinMaxFailures}`);
    if (!Number.isInteger(pinFailureWindowSeconds) || pinFailureWindowSeconds < 1) throw new TypeError(`PinGuard: pinFailureWindowSeconds must be a positive integer, got ${pinFailureWindowSeconds}`);
    this.#store = store;
    this.#pinMaxFailures = pinMaxFailures;
    this.#pinFailureWindowSeconds = pinFailureWindowSeconds;
  }

  /**
   * Runs `check` (the call to PACE) unless the account is locked; counts it when PACE says the
   * credentials are wrong. `trace`: the request's trace context, handed to the store for its span.
   */
  async guard<T>(account: string, check: () => Promise<T>, trace?: unknown): Promise<T> {
    const slot = randomUUID(); // made here, so the slot can be given back even if admission's answer is lost
    let admission;
    try {
      admission = await this.#store.begin(account, slot, this.#pinMaxFailures, this.#pinFailureWindowSeconds, trace);
    } catch (error) {
      // Fail closed: without its counts the guard cannot tell a guesser from a user. A stalled store
      // may still run the admission when it resumes: the end queued behind it gives the slot back.
      this.#end(account, slot, 'other');
      throw new RateLimitStoreUnavailableError(error);
    }
    if (!admission.admitted) {
      // Locked: wait until enough failures have left the window. Only busy with checks in flight: a moment is enough.
      const locked = admission.failures >= this.#pinMaxFailures;
      throw new RateLimitedError(locked ? Math.max(1, Math.ceil(admission.resetInMs / 1000)) : 1);
    }
    let outcome: AttemptOutcome = 'other';
    try {
      const result = await check();
      outcome = 'success';
      return result;
    } catch (error) {
      if (error instanceof InvalidCredentialsError) outcome = 'failure';
      throw error;
    } finally {
      this.#end(account, slot, outcome);
    }
  }

  checkReady(): Promise<boolean> {
    return this.#store.checkReady();
  }

  close(): Promise<void> {
    return this.#store.close();
  }

  /**
   * Not awaited, best effort: PACE has answered, and a slow or failing store must not delay or
   * swallow the OTP. The store logs its failures; a slot not given back expires with its TTL.
   */
  #end(account: string, slot: string, outcome: AttemptOutcome): void {
    void this.#store.end(account, slot, outcome, this.#pinFailureWindowSeconds).catch(() => undefined);
  }
}
