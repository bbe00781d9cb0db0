/**
 * Where credential checks are counted, per account: confirmed failures within a sliding window (the
 * last `windowSeconds`, so no burst fits across a window boundary) and checks in flight. In memory
 * by default (one replica); Redis (standalone or cluster) when replicas must share the counts.
 */
export type AttemptOutcome = 'failure' | 'success' | 'other';

export type Admission =
  | { readonly admitted: true }
  | { readonly admitted: false; readonly failures: number; readonly resetInMs: number };

export interface FailureStore {
  /**
   * Atomically admits a check when the account's failures in the window + its checks in flight stay
   * under `limit`, and then counts it as in flight under `slot` (an id the caller made, so it can give
   * the slot back even when the answer to this call never came). Refusing at that sum is what keeps
   * parallel guesses, from any number of tokens and replicas, from slipping past the limit together.
   * `trace`: the request's trace context (opaque), the parent of the store's span when tracing is on.
   */
  begin(account: string, slot: string, limit: number, windowSeconds: number, trace?: unknown): Promise<Admission>;
  /** Ends a check: its slot is given back (also when it was never admitted), a failure is recorded, a success clears the account's failures. */
  end(account: string, slot: string, outcome: AttemptOutcome, windowSeconds: number): Promise<void>;
  /** Whether the store can serve the guard now: a real round trip, cached briefly (for /ready). */
  checkReady(): Promise<boolean>;
  close(): Promise<void>;
}

export class MemoryFailureStore implements FailureStore {
  /** Failure times per account, oldest first. */
  readonly #failures = new Map<string, number[]>();
  /** Checks in flight per account (one process: a slot cannot be lost, a count is enough). */
  readonly #inFlight = new Map<string, number>();
  readonly #sweeper: NodeJS.Timeout;
  #longestWindowMs = 0;

  constructor(sweepIntervalMs = 60_000) {
    // Accounts whose failures all left the window are dropped by this sweep (and on read).
    this.#sweeper = setInterval(() => this.#sweep(), sweepIntervalMs).unref();
  }

  async begin(account: string, _slot: string, limit: number, windowSeconds: number): Promise<Admission> {
    const now = Date.now();
    const failures = this.#recent(account, now, windowSeconds * 1000);
    const inFlight = this.#inFlight.get(account) ?? 0;
    if (failures.length + inFlight >= limit) {
      // Free again once enough of the failures have left the window to fall under the limit.
      const freeing = failures[failures.length - limit];
      return { admitted: false, failures: failures.length, resetInMs: freeing === undefined ? 0 : freeing + windowSeconds * 1000 - now };
    }
    this.#inFlight.set(account, inFlight + 1);
    return { admitted: true };
  }

  async end(account: string, _slot: string, outcome: AttemptOutcome, windowSeconds: number): Promise<void> {
    const inFlight = (this.#inFlight.get(account) ?? 1) - 1;
    if (inFlight > 0) this.#inFlight.set(account, inFlight);
    else this.#inFlight.delete(account);
    if (outcome === 'success') this.#failures.delete(account);
    else if (outcome === 'failure') {
      this.#longestWindowMs = Math.max(this.#longestWindowMs, windowSeconds * 1000);
      const failures = this.#failures.get(account);
      if (failures) failures.push(Date.now());
      else this.#failures.set(account, [Date.now()]);
    }
  }

  async checkReady(): Promise<boolean> {
    return true;
  }

  async close(): Promise<void> {
    clearInterval(this.#sweeper);
  }

  /** The account's failures within the window (older ones are dropped). */
  #recent(account: string, now: number, windowMs: number): number[] {
    const failures = this.#failures.get(account);
    if (failures === undefined) return [];
    const firstLive = failures.findIndex((at) => at > now - windowMs);
    if (firstLive === -1) {
      this.#failures.delete(account);
      return [];
    }
    if (firstLive > 0) failures.splice(0, firstLive);
    return failures;
  }

  #sweep(): void {
    const cutoff = Date.now() - this.#longestWindowMs;
    for (const [account, failures] of this.#failures) if ((failures.at(-1) ?? 0) <= cutoff) this.#failures.delete(account);
  }
}
