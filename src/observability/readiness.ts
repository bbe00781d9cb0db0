/**
 * `/ready` and `/health` with a small JSON body in the common actuator shape
 * (`{"status":"UP","components":{"guardStore":{"status":"UP"},…}}`), and a gauge per dependency.
 *
 * `/ready` fails only for this process's own reasons: draining, or a dependency it has never once
 * reached since start (a wrong URL, a network policy, a key set that never loaded). A shared
 * dependency (Redis, the identity provider) that fails later shows as DOWN in the body and the gauge,
 * not in the status code: every replica shares it, so 503 everywhere would leave the load balancer no
 * replica at all, and clients connection errors instead of the coded RATE_LIMIT_UNAVAILABLE /
 * AUTH_UNAVAILABLE (and `credentials`, which never touches Redis, would go down with it).
 * `failOnDependencies` (READY_FAILS_ON_DEPENDENCIES) makes a DOWN dependency fail `/ready` too.
 *
 * Only the path itself answers: Yoga's useReadinessCheck also answers any URL that ends with the
 * endpoint, so `POST /graphql?x=/ready` would get a readiness answer and never execute or be logged.
 * (`/health`, Yoga's built-in, keeps that behaviour: such a request executes nothing.)
 */
import { useReadinessCheck, type Plugin } from 'graphql-yoga';
import { Gauge, type Registry } from 'prom-client';
import { requestPath } from '../request-path.js';

export type Status = 'UP' | 'DOWN' | 'OUT_OF_SERVICE';

export interface Health {
  readonly status: Status;
  readonly components?: Readonly<Record<string, { readonly status: Status }>>;
}

/** A dependency's state now: true when it answers (cheap: called on every probe and scrape). */
export type ComponentCheck = () => boolean | Promise<boolean>;

export interface ReadinessOptions {
  /** True once the host is draining: `/ready` then answers 503 OUT_OF_SERVICE. */
  readonly isShuttingDown: () => boolean;
  /** The shared dependencies by name (e.g. `guardStore`, `tokenKeys`). */
  readonly components: Readonly<Record<string, ComponentCheck>>;
  /** READY_FAILS_ON_DEPENDENCIES: a dependency DOWN now fails `/ready`, not only one never reached. */
  readonly failOnDependencies: boolean;
  /** Where `pace_otp_gateway_dependency_up{dependency}` goes (the gateway's metrics registry). */
  readonly registry?: Registry;
}

export const DEPENDENCY_GAUGE = 'pace_otp_gateway_dependency_up';
/** Until every dependency has been reached once, it is asked this often (then never again unprompted). */
const START_WATCH_INTERVAL_MS = 500;

export class Readiness {
  readonly #options: ReadinessOptions;
  /** Dependencies reached at least once since start. */
  readonly #reached = new Set<string>();
  #watch: NodeJS.Timeout | undefined;

  constructor(options: ReadinessOptions) {
    for (const [name, check] of Object.entries(options.components)) {
      if (!/^[A-Za-z][A-Za-z0-9]*$/.test(name) || typeof check !== 'function') throw new TypeError(`Readiness: component "${name}" needs a name of letters and digits and a check function`);
    }
    this.#options = options;
    if (options.registry) registerGauge(options.registry, () => this.components());
    // A dependency reached at start and lost before the first probe still counts as reached.
    this.#watch = setInterval(() => void this.components(), START_WATCH_INTERVAL_MS).unref();
    void this.components();
  }

  /** Each dependency's state now; remembers which ones were ever reached. */
  async components(): Promise<Record<string, { status: Status }>> {
    const entries = await Promise.all(
      Object.entries(this.#options.components).map(async ([name, check]) => {
        const up = await Promise.resolve()
          .then(check)
          .catch(() => false);
        if (up) this.#reached.add(name);
        return [name, { status: up ? 'UP' : 'DOWN' }] as const;
      }),
    );
    if (this.#watch !== undefined && this.#reached.size === entries.length) this.stop();
    return Object.fromEntries(entries);
  }

  /** The `/ready` answer: its HTTP status and body. */
  async ready(): Promise<{ readonly code: 200 | 503; readonly health: Health }> {
    const components = await this.components();
    const failing = Object.entries(components).filter(([name, { status }]) => status === 'DOWN' && (this.#options.failOnDependencies || !this.#reached.has(name)));
    const status: Status = this.#options.isShuttingDown() ? 'OUT_OF_SERVICE' : failing.length > 0 ? 'DOWN' : 'UP';
    return { code: status === 'UP' ? 200 : 503, health: { status, components } };
  }

  stop(): void {
    clearInterval(this.#watch);
    this.#watch = undefined;
  }
}

/** `/ready` (path only) and the JSON body of `/health`; stops the start-up watch on dispose. */
export function useReadiness(readiness: Readiness): Plugin {
  const plugin = useReadinessCheck({
    endpoint: '/ready',
    check: async ({ request, fetchAPI }) => {
      const { code, health } = await readiness.ready();
      return json(fetchAPI, request, code, health);
    },
  });
  const answer = plugin.onRequest!;
  return {
    ...plugin,
    onRequest: (payload) => (requestPath(payload.request.url) === '/ready' ? answer(payload) : undefined),
    onResponse({ request, response, setResponse, fetchAPI }) {
      // Yoga's own /health runs before any plugin and answers with no body: give it the actuator's.
      if (response.status === 200 && response.headers.has('x-yoga-id') && requestPath(request.url) === '/health') {
        setResponse(json(fetchAPI, request, 200, { status: 'UP' }, response.headers));
      }
    },
    onDispose: () => readiness.stop(),
  };
}

function json(fetchAPI: { Response: typeof Response }, request: Request, status: number, health: Health, headers?: Headers): Response {
  const response = new fetchAPI.Response(request.method === 'HEAD' ? null : JSON.stringify(health), { status, ...(headers && { headers }) });
  response.headers.set('content-type', 'application/json; charset=utf-8');
  response.headers.set('cache-control', 'no-store');
  return response;
}

/** 1 per dependency that answers now, 0 for one that does not: computed at scrape time. */
function registerGauge(registry: Registry, components: () => Promise<Record<string, { status: Status }>>): void {
  registry.removeSingleMetric(DEPENDENCY_GAUGE); // one gateway per registry; a second one takes it over
  new Gauge({
    name: DEPENDENCY_GAUGE,
    help: 'Whether each dependency answers now (1) or not (0): guardStore (the PIN guard store), tokenKeys (the token key set).',
    labelNames: ['dependency'] as const,
    registers: [registry],
    async collect() {
      for (const [name, { status }] of Object.entries(await components())) this.set({ dependency: name }, status === 'UP' ? 1 : 0);
    },
  });
}
