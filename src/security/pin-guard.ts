/**
 * PIN-guessing defence: a stolen token plus a 4-digit PIN is 10,000 guesses from an OTP. The promise:
 * at most `pinMaxFailures` wrong guesses per account reach PACE in the window, whatever the caller does
 * (any number of tokens of the account, replicas, aliases or parallel requests) and whatever PACE or
 * the store do (slow, broken, down). After that the account is answered RateLimited without asking
 * PACE, until enough failures leave the window; a success clears the count.
 *
 * A check is admitted only while the account's failures in the window + the account's checks in
 * flight stay under the limit (one atomic step in the store). The price: one account has at most
 * `pinMaxFailures` checks in flight at a time; more at once get RateLimited with retryAfterSeconds 1.
 */
import { randomUUID } from 'node:crypto';
import { InvalidCredentialsError, RateLimitedError, RateLimitStoreUnavailableError, UpstreamError } from '../errors.js';
import type { AttemptOutcome, GuardStore } from './guard-store.js';
import { OutcomeWriter } from './outcome-writer.js';

export interface PinGuardOptions<C> {
  readonly store: GuardStore;
  readonly pinMaxFailures: number;
  readonly pinFailureWindowSeconds: number;
  /** Told about every admission (a span per Redis round trip), made by the composition root. */
  readonly observer?: AdmissionObserver<C> | undefined;
}

/** As the PACE client's observer: the guard hands over each check's `context` without reading it. */
export interface AdmissionObserver<C> {
  /** An admission starts; returns what to tell when it is answered (with the error's name when it failed). */
  onAdmission(context: C | undefined): (failure?: string) => void;
}

export class PinGuard<C = unknown> {
  readonly #store: GuardStore;
  readonly #observer: AdmissionObserver<C> | undefined;
  readonly #outcomes: OutcomeWriter;
  readonly #pinMaxFailures: number;
  readonly #pinFailureWindowSeconds: number;

  constructor({ store, pinMaxFailures, pinFailureWindowSeconds, observer }: PinGuardOptions<C>) {
    if (!Number.isInteger(pinMaxFailures) || pinMaxFailures < 1) throw new TypeError(`PinGuard: pinMaxFailures must be a positive integer, got ${pinMaxFailures}`);
    if (!Number.isInteger(pinFailureWindowSeconds) || pinFailureWindowSeconds < 1) throw new TypeError(`PinGuard: pinFailureWindowSeconds must be a positive integer, got ${pinFailureWindowSeconds}`);
    this.#store = store;
    this.#observer = observer;
    this.#outcomes = new OutcomeWriter(store, pinFailureWindowSeconds);
    this.#pinMaxFailures = pinMaxFailures;
    this.#pinFailureWindowSeconds = pinFailureWindowSeconds;
  }

  /**
   * Runs `check` (the call to PACE) unless the account is locked; counts it as outcomeOf says.
   * `context`: the request's, for the observer only.
   */
  async guard<T>(account: string, check: () => Promise<T>, context?: C): Promise<T> {
    // An outcome of this account not yet in the store (./outcome-writer.ts): fail closed until it is.
    if (this.#outcomes.hasUnwritten(account)) throw new RateLimitStoreUnavailableError();
    const slot = randomUUID(); // made here, so the slot can be given back even if admission's answer is lost
    let admission;
    const answered = this.#observer?.onAdmission(context);
    try {
      admission = await this.#store.begin(account, slot, this.#pinMaxFailures, this.#pinFailureWindowSeconds);
      answered?.();
    } catch (error) {
      answered?.(error instanceof Error ? error.name : 'Error');
      // Fail closed: without its counts the guard cannot tell a guesser from a user. A stalled store
      // may still run the admission when it resumes: the end queued behind it gives the slot back.
      this.#outcomes.write(account, slot, 'other');
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
      outcome = outcomeOf(error);
      throw error;
    } finally {
      this.#outcomes.write(account, slot, outcome);
    }
  }

  checkReady(): Promise<boolean> {
    return this.#store.checkReady();
  }

  close(): Promise<void> {
    this.#outcomes.close();
    return this.#store.close();
  }
}

/**
 * A wrong PIN is a failure, and so is a check whose outcome is unknown: PACE may have received the
 * PIN (a timeout, a connection broken after the request was sent, an unreadable or 5xx answer). Were
 * it not counted, a slow PACE would hand out unlimited guesses. Counted as a failure rather than a
 * slot held for the whole window: the same cost to the account (one of its tries, for the window), but
 * the account's next success clears it like any failure, retryAfterSeconds stays exact, and the
 * stores need no second kind of slot. Nothing sent (connect refused), or a refusal PACE explains
 * (401, 403, 422, 429), counts nothing: a forged token must not lock anyone out.
 */
function outcomeOf(error: unknown): AttemptOutcome {
  if (error instanceof InvalidCredentialsError) return 'failure';
  if (error instanceof UpstreamError && error.requestSent) return 'failure';
  return 'other';
}
