/**
 * Failure counts in Redis, so every replica behind a load balancer sees the same counts. REDIS_URL
 * may name a standalone Redis/Valkey or any node of a cluster (or several seeds, comma-separated):
 * the store asks the first reachable seed (`INFO cluster`) and then talks to it with ioredis's
 * `Redis` or `Cluster`. Both keys of an account carry its hash tag, so each script runs on one slot.
 */
import { Cluster, Redis, type RedisOptions, type Result } from 'ioredis';
import type { Logger } from '../logger.js';
import { ThrottledErrorLog } from '../observability/throttled-log.js';
import type { Admission, AttemptOutcome, FailureStore } from './failure-store.js';
import { BEGIN, END } from './redis-scripts.js';

declare module 'ioredis' {
  interface RedisCommander<Context> {
    paceOtpBegin(failures: string, inFlight: string, limit: number, windowMs: number, ttlMs: number, slot: string): Result<[number, number, number], Context>;
    paceOtpEnd(failures: string, inFlight: string, outcome: AttemptOutcome, windowMs: number, slot: string): Result<number, Context>;
  }
}

export interface RedisFailureStoreOptions {
  /** Seeds: a standalone server, or nodes of a cluster (redis:// or rediss://, credentials in the URL). */
  readonly urls: readonly URL[];
  /** How long an in-flight slot may live: just longer than the longest check (a replica that dies mid-check must not hold it for ever). */
  readonly inFlightTtlMs: number;
  readonly logger: Logger;
}

type Client = Redis | Cluster;

/** Every store call settles within this, whatever Redis does: a stalled store must not hold a request. */
const COMMAND_TIMEOUT_MS = 1_000;
/** /ready reuses a round trip this recent, so probes do not load Redis. */
const READY_CACHE_MS = 1_000;
/** After a failed start (no seed reachable), the next call tries again no sooner than this. */
const RECONNECT_INTERVAL_MS = 1_000;
const PREFIX = 'pace-otp-gateway:';

export class RedisFailureStore implements FailureStore {
  readonly #urls: readonly URL[];
  readonly #inFlightTtlMs: number;
  readonly #errors: ThrottledErrorLog;
  #client: Promise<Client> | undefined;
  /** The client once connected to a standalone server: its commandTimeout bounds every call on its own. */
  #standalone: Redis | undefined;
  #failedAt = 0;
  #ready: { readonly at: number; readonly result: Promise<boolean> } | undefined;
  #closed = false;

  constructor({ urls, inFlightTtlMs, logger }: RedisFailureStoreOptions) {
    if (urls.length === 0 || urls.some((url) => !['redis:', 'rediss:'].includes(url.protocol))) throw new TypeError('RedisFailureStore: urls must be redis:// or rediss:// URLs');
    if (!Number.isInteger(inFlightTtlMs) || inFlightTtlMs < 1) throw new TypeError(`RedisFailureStore: inFlightTtlMs must be a positive integer, got ${inFlightTtlMs}`);
    this.#urls = urls;
    this.#inFlightTtlMs = inFlightTtlMs;
    this.#errors = new ThrottledErrorLog(logger, 'Redis: the PIN guard store failed');
    void this.#connection().catch(() => undefined); // connect at start; failures are logged and retried on use
  }

  async begin(account: string, slot: string, limit: number, windowSeconds: number): Promise<Admission> {
    const [admitted, failures, resetInMs] = await this.#run((client) => client.paceOtpBegin(...keys(account), limit, windowSeconds * 1000, this.#inFlightTtlMs, slot));
    return admitted === 1 ? { admitted: true } : { admitted: false, failures, resetInMs: Math.max(0, resetInMs) };
  }

  async end(account: string, slot: string, outcome: AttemptOutcome, windowSeconds: number): Promise<void> {
    await this.#run((client) => client.paceOtpEnd(...keys(account), outcome, windowSeconds * 1000, slot));
  }

  checkReady(): Promise<boolean> {
    const now = Date.now();
    if (this.#ready === undefined || now - this.#ready.at >= READY_CACHE_MS) {
      this.#ready = { at: now, result: this.#run((client) => Promise.all(serversOf(client).map((server) => server.ping()))).then(() => true, () => false) };
    }
    return this.#ready.result;
  }

  async close(): Promise<void> {
    this.#closed = true;
    const client = await this.#client?.catch(() => undefined);
    await client?.quit().catch(() => client.disconnect());
  }

  /** One store call: bounded in time; a failure is logged (one line per kind per 10 s) and rethrown. */
  async #run<T>(command: (client: Client) => Promise<T>): Promise<T> {
    try {
      // Hot path: a connected standalone client times out each command itself (commandTimeout, set when
      // the command is sent or queued offline), so the race would only add a timer per call.
      const standalone = this.#closed ? undefined : this.#standalone;
      return await (standalone === undefined ? this.#withDeadline(command) : command(standalone));
    } catch (error) {
      this.#report(error);
      throw error;
    }
  }

  /** Cluster (or not yet connected): a command may wait for slots or a failover beyond commandTimeout. */
  async #withDeadline<T>(command: (client: Client) => Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => reject(new Error('Command timed out')), COMMAND_TIMEOUT_MS);
    });
    try {
      return await Promise.race([this.#connection().then(command), deadline]);
    } finally {
      clearTimeout(timer);
    }
  }

  #connection(): Promise<Client> {
    if (this.#closed) return Promise.reject(new Error('Connection is closed.'));
    if (this.#client === undefined || (this.#failedAt !== 0 && Date.now() - this.#failedAt >= RECONNECT_INTERVAL_MS)) {
      this.#failedAt = 0;
      this.#client = connect(this.#urls, (error) => this.#report(error)).then(
        (client) => {
          if (!(client instanceof Cluster)) this.#standalone = client;
          return client;
        },
        (error: unknown) => {
          this.#failedAt = Date.now();
          throw error;
        },
      );
    }
    return this.#client;
  }

  #report(error: unknown): void {
    const message = String((error as { message?: unknown })?.message ?? error).slice(0, 200);
    this.#errors.report(errorKind(error, message), message);
  }
}

/** An account's two keys; `{account}` is the hash tag that puts both on one cluster slot. */
function keys(account: string): [failures: string, inFlight: string] {
  return [`${PREFIX}{${account}}:failures`, `${PREFIX}{${account}}:inflight`];
}

/**
 * The servers the guard needs: the standalone server, or the master of every slot. A master ioredis
 * lost (killed, not yet replaced by a failover) makes the answer incomplete, and /ready 503.
 */
function serversOf(client: Client): Redis[] {
  if (!(client instanceof Cluster)) return [client];
  const connected = new Map(client.nodes('master').map((node) => [`${node.options.host}:${node.options.port}`, node]));
  const needed = new Set(client.slots.map((owners) => owners[0]));
  const servers = [...needed].map((key) => (key === undefined ? undefined : connected.get(key)));
  if (needed.size === 0 || servers.includes(undefined)) throw new Error('CLUSTERDOWN some hash slots have no reachable master');
  return servers as Redis[];
}

/** The first seed that answers tells the topology; a cluster is then reached through all seeds. */
async function connect(urls: readonly URL[], onError: (error: unknown) => void): Promise<Client> {
  let lastError: unknown;
  for (const url of urls) {
    const probe = new Redis(url.toString(), { ...CLIENT_OPTIONS, retryStrategy: () => null });
    probe.on('error', () => undefined); // surfaces on the INFO call below
    try {
      const info = await probe.info('cluster');
      if (!/^cluster_enabled:1\b/m.test(info)) return withScripts(watch(new Redis(url.toString(), CLIENT_OPTIONS), onError));
      const seeds = urls.map((seed) => ({ host: seed.hostname.replace(/^\[|\]$/g, ''), port: Number(seed.port || 6379) }));
      return withScripts(watch(new Cluster(seeds, { ...CLUSTER_OPTIONS, redisOptions: { ...CLIENT_OPTIONS, ...credentialsOf(url) } }), onError));
    } catch (error) {
      lastError = error;
    } finally {
      probe.disconnect();
    }
  }
  throw lastError;
}

const CLIENT_OPTIONS = {
  // Fail fast rather than hold a credential check behind a dead or stalled Redis.
  maxRetriesPerRequest: 1,
  connectTimeout: 2_000,
  commandTimeout: COMMAND_TIMEOUT_MS,
  // The checks that arrive together (one per request, many requests at once) go out in one write:
  // commands issued within one event-loop turn are sent as one pipeline, in order, each with its own
  // timeout. Redis, which every replica shares, then does half the work per check (docs/performance.md).
  enableAutoPipelining: true,
};

const CLUSTER_OPTIONS = {
  // After a failover, learn the new masters by itself: on MOVED/errors, and at least this often.
  slotsRefreshInterval: 2_000,
  slotsRefreshTimeout: 1_000,
  retryDelayOnFailover: 100,
  retryDelayOnClusterDown: 100,
  retryDelayOnTryAgain: 100,
  clusterRetryStrategy: (times: number) => Math.min(100 * times, 1_000),
  scaleReads: 'master' as const,
  enableAutoPipelining: true, // per master, as for a standalone server (CLIENT_OPTIONS)
};

function credentialsOf(url: URL): Pick<RedisOptions, 'username' | 'password'> & { tls?: { servername: string } } {
  return {
    ...(url.username && { username: decodeURIComponent(url.username) }),
    ...(url.password && { password: decodeURIComponent(url.password) }),
    ...(url.protocol === 'rediss:' && { tls: { servername: url.hostname } }),
  };
}

function watch<C extends Client>(client: C, onError: (error: unknown) => void): C {
  // Connection errors are logged (throttled); without a listener ioredis would print each reconnect attempt.
  client.on('error', onError);
  return client;
}

/** Registered once: ioredis sends EVALSHA and reloads a script on NOSCRIPT (a restarted or new node). */
function withScripts<C extends Client>(client: C): C {
  client.defineCommand('paceOtpBegin', { numberOfKeys: 2, lua: BEGIN });
  client.defineCommand('paceOtpEnd', { numberOfKeys: 2, lua: END });
  return client;
}

/** The kind of a store error, for one log line per kind: Redis's own error word, else what happened. */
export function errorKind(error: unknown, message: string): string {
  const word = /^([A-Z][A-Z_]{2,})\b/.exec(message)?.[1];
  if (word !== undefined) return word; // CROSSSLOT, MOVED, NOSCRIPT, CLUSTERDOWN, TRYAGAIN, READONLY, LOADING, NOAUTH, ERR …
  if (/timed out/i.test(message)) return 'TIMEOUT';
  const code = (error as { code?: unknown })?.code;
  if (typeof code === 'string') return code; // ECONNREFUSED, ECONNRESET, …
  return 'CONNECTION';
}
