/**
 * Dependency errors (Redis, the key set) in the log without flooding it: one line per kind of error
 * per interval, saying how many of that kind were left out since the last line.
 */
import type { Logger } from '../logger.js';

export class ThrottledErrorLog {
  readonly #logger: Logger;
  readonly #message: string;
  readonly #intervalMs: number;
  readonly #last = new Map<string, { at: number; suppressed: number }>();

  constructor(logger: Logger, message: string, intervalMs = 10_000) {
    this.#logger = logger;
    this.#message = message;
    this.#intervalMs = intervalMs;
  }

  /** `kind` groups errors (CROSSSLOT, TIMEOUT, …); `cause` is a message free of secrets and key material. */
  report(kind: string, cause: string): void {
    const now = Date.now();
    const last = this.#last.get(kind);
    if (last !== undefined && now - last.at < this.#intervalMs) {
      last.suppressed += 1;
      return;
    }
    this.#last.set(kind, { at: now, suppressed: 0 });
    this.#logger.warn({ kind, cause, suppressed: last?.suppressed ?? 0 }, this.#message);
  }
}
