/**
 * PIN-guessing defence: a stolen token plus a 4-digit PIN is 10,000 guesses from an OTP. After
 * `maxFailures` confirmed wrong credentials within the window, the account is answered RateLimited
 * without asking PACE, until the window ends; a success clears the count.
 *
 * A check is admitted only while the account's confirmed failures + the token's checks in flight
 * stay under the limit (one atomic step), so parallel requests cannot slip past the limit together.
 * The price: one token has at most `maxFailures` checks in flight at a time.
 */
import { InvalidCredentialsError, RateLimitedError, RateLimitStoreUnavailableError } from '../errors.js';
import type { AttemptKeys, AttemptOutcome, FailureStore } from './failure-store.js';

export interface PinGuardOptions {
  readonly store: FailureStore;
  readonly maxFailures: number;
  readonly windowSeconds: number;
}

export class PinGuard {
  readonly #store: FailureStore;
  readonly #maxFailures: number;
  readonly #windowSeconds: number;

  constructor({ store, maxFailures, windowSeconds }: PinGuardOptions) {
    if (!Number.isInteger(maxFailures) || maxFailures < 1) throw new TypeError(`PinGuard: maxFailures must be a positive integer, got ${maxFailures}`);
    if (!Number.isInteger(windowSeconds) || windowSeconds < 1) throw new TypeError(`PinGuard: windowSeconds must be a positive integer, got ${windowSeconds}`);
    this.#store = store;
    this.#maxFailures = maxFailures;
    this.#windowSeconds = windowSeconds;
  }

  /** Runs `check` (the call to PACE) unless the account is locked; counts it when PACE says the credentials are wrong. */
  async guard<T>(keys: AttemptKeys, check: () => Promise<T>): Promise<T> {
    const admission = await this.#safely(() => this.#store.begin(keys, this.#maxFailures, this.#windowSeconds));
    if (!admission.admitted) {
      // Locked: wait until enough failures have left the window. Only busy with checks in flight: a moment is enough.
      const locked = admission.failures >= this.#maxFailures;
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
      // Not awaited, best effort: PACE has answered, and a slow or failing store must not delay or
      // swallow the OTP. A slot not given back expires with its TTL.
      void this.#store.end(keys, admission.slot, outcome, this.#windowSeconds).catch(() => undefined);
    }
  }

  isReady(): boolean {
    return this.#store.isReady();
  }

  close(): Promise<void> {
    return this.#store.close();
  }

  // Fail closed: without its counts the guard cannot tell a guesser from a user.
  async #safely<T>(operation: () => Promise<T>): Promise<T> {
    try {
      return await operation();
    } catch (error) {
      throw new RateLimitStoreUnavailableError(error);
    }
  }
}
