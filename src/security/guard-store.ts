/**
 * The PIN guard's store: it admits credential checks and holds their slots, and counts, per account,
 * failures within a sliding window (the last `windowSeconds`, so no burst fits across a window
 * boundary) and checks in flight. In memory by default (one replica); Redis (standalone or cluster)
 * when replicas must share the counts. A plain interface, so a host can wrap it (a traced store is a
 * decorator made in createGateway).
 */
export type AttemptOutcome = 'failure' | 'success' | 'other';

export type Admission =
  | { readonly admitted: true }
  | { readonly admitted: false; readonly failures: number; readonly resetInMs: number };

export interface GuardStore {
  /**
   * Atomically admits a check when the account's failures in the window + its checks in flight stay
   * under `limit`, and then counts it as in flight under `slot` (an id the caller made, so it can give
   * the slot back even when the answer to this call never came). Refusing at that sum is what keeps
   * parallel guesses, from any number of tokens and replicas, from slipping past the limit together.
   */
  begin(account: string, slot: string, limit: number, windowSeconds: number): Promise<Admission>;
  /**
   * Ends a check: its slot is given back (a no-op when it was never admitted or has expired), a
   * failure is recorded (also when its slot has expired: a late outcome still counts), a success
   * clears the account's failures. Safe to repeat (a retry after a lost answer): the failure is
   * recorded once, under the slot's id.
   */
  end(account: string, slot: string, outcome: AttemptOutcome, windowSeconds: number): Promise<void>;
  /** Whether the store can serve the guard now: a real round trip, cached briefly (for /ready). */
  checkReady(): Promise<boolean>;
  close(): Promise<void>;
}

interface Failure {
  readonly at: number;
  readonly slot: string;
}

export class MemoryGuardStore implements GuardStore {
  /** Failures per account, oldest first: when, and the slot of the check (so one is recorded once). */
  readonly #failures = new Map<string, Failure[]>();
  /** The slots of checks in flight, per account (a set, so a slot never admitted is not given back). */
  readonly #inFlight = new Map<string, Set<string>>();
  readonly #sweeper: NodeJS.Timeout;
  #longestWindowMs = 0;

  constructor(sweepIntervalMs = 60_000) {
    // Accounts whose failures all left the window are dropped by this sweep (and on read).
    this.#sweeper = setInterval(() => this.#sweep(), sweepIntervalMs).unref();
  }

  async begin(account: string, slot: string, limit: number, windowSeconds: number): Promise<Admission> {
    const now = Date.now();
    const failures = this.#recent(account, now, windowSeconds * 1000);
    const inFlight = this.#inFlight.get(account);
    if (failures.length + (inFlight?.size ?? 0) >= limit) {
      // Free again once enough of the failures have left the window to fall under the limit.
      const freeing = failures[failures.length - limit];
      return { admitted: false, failures: failures.length, resetInMs: freeing === undefined ? 0 : freeing.at + windowSeconds * 1000 - now };
    }
    if (inFlight) inFlight.add(slot);
    else this.#inFlight.set(account, new Set([slot]));
    return { admitted: true };
  }

  async end(account: string, slot: string, outcome: AttemptOutcome, windowSeconds: number): Promise<void> {
    // Only this slot: a slot never admitted (or already given back) frees no other check's place.
    const inFlight = this.#inFlight.get(account);
    if (inFlight?.delete(slot) && inFlight.size === 0) this.#inFlight.delete(account);
    if (outcome === 'success') this.#failures.delete(account);
    else if (outcome === 'failure') {
      this.#longestWindowMs = Math.max(this.#longestWindowMs, windowSeconds * 1000);
      const failures = this.#failures.get(account);
      const failure = { at: Date.now(), slot };
      if (failures === undefined) this.#failures.set(account, [failure]);
      else if (!failures.some((recorded) => recorded.slot === slot)) failures.push(failure); // a repeated end counts once
    }
  }

  async checkReady(): Promise<boolean> {
    return true;
  }

  async close(): Promise<void> {
    clearInterval(this.#sweeper);
  }

  /** The account's failures within the window (older ones are dropped). */
  #recent(account: string, now: number, windowMs: number): Failure[] {
    const failures = this.#failures.get(account);
    if (failures === undefined) return [];
    const firstLive = failures.findIndex(({ at }) => at > now - windowMs);
    if (firstLive === -1) {
      this.#failures.delete(account);
      return [];
    }
    if (firstLive > 0) failures.splice(0, firstLive);
    return failures;
  }

  #sweep(): void {
    const cutoff = Date.now() - this.#longestWindowMs;
    for (const [account, failures] of this.#failures) if ((failures.at(-1)?.at ?? 0) <= cutoff) this.#failures.delete(account);
  }
}
