/**
 * Where credential checks are counted: confirmed failures per account (within a window) and checks
 * in flight per token. In memory by default (one replica); Redis when replicas must share the counts.
 */
export type AttemptOutcome = 'failure' | 'success' | 'other';

export type Admission = { readonly admitted: true } | { readonly admitted: false; readonly failures: number; readonly resetInMs: number };

/** Failures are counted per account; checks in flight per token, so a forged token cannot fill them. */
export interface AttemptKeys {
  readonly account: string;
  readonly token: string;
}

export interface FailureStore {
  /**
   * Atomically admits a check when the account's confirmed failures + the token's checks in flight
   * stay under `limit`, and then counts it as in flight. Refusing at that sum is what keeps parallel
   * guesses from slipping past the limit together.
   */
  begin(keys: AttemptKeys, limit: number): Promise<Admission>;
  /** Ends an admitted check: a failure counts in the window (started by the first failure), a success clears it. */
  end(keys: AttemptKeys, outcome: AttemptOutcome, windowSeconds: number): Promise<void>;
  /** Whether the store can serve now (for /ready). */
  isReady(): boolean;
  close(): Promise<void>;
}

interface Failures {
  count: number;
  /** When the window ends. */
  expiresAt: number;
}

export class MemoryFailureStore implements FailureStore {
  readonly #failures = new Map<string, Failures>();
  readonly #inFlight = new Map<string, number>();
  readonly #sweeper: NodeJS.Timeout;

  constructor(sweepIntervalMs = 60_000) {
    // Ended windows are dropped by this sweep (and on read), so memory stays bounded by the window.
    this.#sweeper = setInterval(() => this.#sweep(), sweepIntervalMs).unref();
  }

  async begin({ account, token }: AttemptKeys, limit: number): Promise<Admission> {
    const failures = this.#live(account);
    const inFlight = this.#inFlight.get(token) ?? 0;
    if ((failures?.count ?? 0) + inFlight >= limit) {
      return { admitted: false, failures: failures?.count ?? 0, resetInMs: failures ? failures.expiresAt - Date.now() : 0 };
    }
    this.#inFlight.set(token, inFlight + 1);
    return { admitted: true };
  }

  async end({ account, token }: AttemptKeys, outcome: AttemptOutcome, windowSeconds: number): Promise<void> {
    const inFlight = (this.#inFlight.get(token) ?? 1) - 1;
    if (inFlight > 0) this.#inFlight.set(token, inFlight);
    else this.#inFlight.delete(token);
    if (outcome === 'success') this.#failures.delete(account);
    else if (outcome === 'failure') {
      const failures = this.#live(account);
      if (failures) failures.count += 1;
      else this.#failures.set(account, { count: 1, expiresAt: Date.now() + windowSeconds * 1000 });
    }
  }

  isReady(): boolean {
    return true;
  }

  async close(): Promise<void> {
    clearInterval(this.#sweeper);
  }

  #live(account: string): Failures | undefined {
    const failures = this.#failures.get(account);
    if (failures !== undefined && failures.expiresAt <= Date.now()) {
      this.#failures.delete(account);
      return undefined;
    }
    return failures;
  }

  #sweep(): void {
    const now = Date.now();
    for (const [account, failures] of this.#failures) if (failures.expiresAt <= now) this.#failures.delete(account);
  }
}
