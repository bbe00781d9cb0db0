/**
 * The PIN guard's connection to Redis. The seeds (REDIS_URL) may name a standalone Redis/Valkey or
 * any nodes of a cluster: the first seed that answers tells the topology (`INFO cluster`), and the
 * connection then uses ioredis's `Redis` or `Cluster`. A failed start (no seed reachable) is tried
 * again on use, at most once per RECONNECT_INTERVAL_MS. What runs on the connection is the store's
 * business (./redis-guard-store.ts).
 *
 * ioredis is imported with the first connection, not with this module: a gateway without REDIS_URL
 * never loads it (about 40 ms of every start here, and a library's process-wide side effects, such as
 * ioredis 6's String subclass, docs/performance.md).
 */
import type { Cluster, Redis, RedisOptions } from 'ioredis';

export type RedisClient = Redis | Cluster;

export interface RedisConnectionOptions {
  /** A standalone server, or nodes of a cluster (redis:// or rediss://, credentials in the URL). */
  readonly seeds: readonly URL[];
  /** ioredis's per-command timeout (a standalone client bounds each call with it). */
  readonly commandTimeoutMs: number;
  /** Run once on each new client, before its first command (e.g. `defineCommand`). */
  readonly prepare: (client: RedisClient) => void;
  /** ioredis's `error` events (a failed start surfaces on the call that needed the client). */
  readonly onError: (error: unknown) => void;
}

/** After a failed start (no seed reachable), the next use tries again no sooner than this. */
const RECONNECT_INTERVAL_MS = 1_000;

export class RedisConnection {
  readonly #seeds: readonly URL[];
  readonly #clientOptions: typeof CLIENT_OPTIONS & { readonly commandTimeout: number };
  readonly #prepare: (client: RedisClient) => void;
  readonly #onError: (error: unknown) => void;
  #client: Promise<RedisClient> | undefined;
  #standalone: Redis | undefined;
  #failedAt = 0;
  #closed = false;

  constructor({ seeds, commandTimeoutMs, prepare, onError }: RedisConnectionOptions) {
    if (seeds.length === 0 || seeds.some((url) => !['redis:', 'rediss:'].includes(url.protocol))) throw new TypeError('RedisConnection: seeds must be redis:// or rediss:// URLs');
    if (!Number.isInteger(commandTimeoutMs) || commandTimeoutMs < 1) throw new TypeError(`RedisConnection: commandTimeoutMs must be a positive integer, got ${commandTimeoutMs}`);
    this.#seeds = seeds;
    this.#clientOptions = { ...CLIENT_OPTIONS, commandTimeout: commandTimeoutMs };
    this.#prepare = prepare;
    this.#onError = onError;
  }

  /** The standalone client once connected (undefined for a cluster, before the start and after close). */
  get standalone(): Redis | undefined {
    return this.#closed ? undefined : this.#standalone;
  }

  /** The connected client: started on first use, started again after a failed start (throttled). */
  client(): Promise<RedisClient> {
    if (this.#closed) return Promise.reject(new Error('Connection is closed.'));
    if (this.#client === undefined || (this.#failedAt !== 0 && Date.now() - this.#failedAt >= RECONNECT_INTERVAL_MS)) {
      this.#failedAt = 0;
      this.#client = this.#connect().then(
        (client) => {
          if (!client.isCluster) this.#standalone = client as Redis;
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

  /**
   * PING every server the guard needs: the standalone server, or the master of every slot. A master
   * ioredis lost (killed, not yet replaced by a failover) makes the answer incomplete: a rejection.
   */
  async ping(): Promise<void> {
    await Promise.all(serversOf(await this.client()).map((server) => server.ping()));
  }

  async close(): Promise<void> {
    this.#closed = true;
    const client = await this.#client?.catch(() => undefined);
    await client?.quit().catch(() => client.disconnect());
  }

  /** The first seed that answers tells the topology; a cluster is then reached through all seeds. */
  async #connect(): Promise<RedisClient> {
    const { Cluster, Redis } = await import('ioredis'); // loaded once, then from the module cache
    let lastError: unknown;
    for (const url of this.#seeds) {
      const probe = new Redis(url.toString(), { ...this.#clientOptions, retryStrategy: () => null });
      probe.on('error', () => undefined); // surfaces on the INFO call below
      try {
        const info = await probe.info('cluster');
        const client: RedisClient = /^cluster_enabled:1\b/m.test(info)
          ? new Cluster(
              this.#seeds.map((seed) => ({ host: seed.hostname.replace(/^\[|\]$/g, ''), port: Number(seed.port || 6379) })),
              { ...CLUSTER_OPTIONS, redisOptions: { ...this.#clientOptions, ...credentialsOf(url) } },
            )
          : new Redis(url.toString(), this.#clientOptions);
        // Logged (throttled) by the owner; without a listener ioredis would print each reconnect attempt.
        client.on('error', this.#onError);
        this.#prepare(client);
        return client;
      } catch (error) {
        lastError = error;
      } finally {
        probe.disconnect();
      }
    }
    throw lastError;
  }
}

function serversOf(client: RedisClient): Redis[] {
  if (!client.isCluster) return [client as Redis];
  const cluster = client as Cluster;
  const connected = new Map(cluster.nodes('master').map((node) => [`${node.options.host}:${node.options.port}`, node]));
  const needed = new Set(cluster.slots.map((owners) => owners[0]));
  const servers = [...needed].map((key) => (key === undefined ? undefined : connected.get(key)));
  if (needed.size === 0 || servers.includes(undefined)) throw new Error('CLUSTERDOWN some hash slots have no reachable master');
  return servers as Redis[];
}

const CLIENT_OPTIONS = {
  // Fail fast rather than hold a credential check behind a dead or stalled Redis.
  maxRetriesPerRequest: 1,
  connectTimeout: 2_000,
  // Each command is written as it is made: on a standalone server the store already sends the checks
  // of one event-loop turn as one command (./redis-guard-store.ts); ioredis's auto-pipelining would
  // only hold that command for one more turn and wrap it in a pipeline (docs/performance.md).
  enableAutoPipelining: false,
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
  // On a cluster the store makes a call per check: the calls made within one event-loop turn go out in
  // one write per master, in order, each with its own timeout (docs/performance.md).
  enableAutoPipelining: true,
};

function credentialsOf(url: URL): Pick<RedisOptions, 'username' | 'password'> & { tls?: { servername: string } } {
  return {
    ...(url.username && { username: decodeURIComponent(url.username) }),
    ...(url.password && { password: decodeURIComponent(url.password) }),
    ...(url.protocol === 'rediss:' && { tls: { servername: url.hostname } }),
  };
}
