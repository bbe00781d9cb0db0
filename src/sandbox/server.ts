import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { handleCreateOtp, handlePinOrPassword, MAX_BODY_BYTES, type HandlerSettings, type ReceivedRequest } from './handlers.js';
import { errors, type Reply } from './replies.js';
import { handleDiscovery, handleKeySet, handleRotateKey, handleUserInfo, REALM_ROUTES } from './realm.js';
import { issuerOf, SANDBOX_TOKENS, type TokenIssuer } from './tokens.js';
import { demoAccounts, type DEMO } from './users.js';
import { isXid, newXid } from './xid.js';

/** Production's base path: https://api.pace.cloud/user/2024-1 */
export const PATH_PREFIX = '/user/2024-1';
/**
 * `npm start`'s default sandbox port (SANDBOX_PORT): a fixed one, so its issuer (which names its
 * origin) and the tokens it printed stay the same across restarts. Not `npm run sandbox`'s 4010, so
 * both can run at once.
 */
export const EMBEDDED_SANDBOX_PORT = 4011;

export interface RecordedRequest {
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export interface SandboxOptions {
  /** Lifetime of issued OTPs, default 600. */
  otpTtlSeconds?: number;
  /** Artificial delay before answering, default 0. */
  latencyMs?: number;
  /**
   * Observer called for every request received, once its body is read (bodies over 64 KiB are
   * recorded truncated). If it throws, that request is answered with a JSON:API 500.
   */
  onRequest?: (request: RecordedRequest) => void;
  /** Who signs valid tokens; default: this process's SANDBOX_TOKENS (which signed DEMO's). */
  tokens?: TokenIssuer;
}

export interface RunningSandbox {
  /** Base URL including the production path prefix, e.g. http://127.0.0.1:PORT/user/2024-1 */
  url: string;
  demo: typeof DEMO;
  /** Its realm's issuer, `<origin>/auth/realms/pace` (PACE_TOKEN_ISSUER): the `iss` of `demo` and `tokens`. */
  issuer: string;
  /** The realm's key set (PACE_JWKS_URL) and discovery document. */
  jwksUrl: string;
  discoveryUrl: string;
  /** Signs more tokens for this sandbox's issuer (other `sub`, `jti`, `exp`, scopes); rotates its keys. */
  tokens: TokenIssuer;
  /** Stops listening, drops every open connection, resolves once the server is closed. */
  close(): Promise<void>;
}

type Handler = (request: ReceivedRequest, settings: HandlerSettings) => Reply | Promise<Reply>;

const ROUTES = new Map<string, Readonly<Record<string, Handler>>>([
  [`${PATH_PREFIX}/user/otp`, { POST: handleCreateOtp }],
  [`${PATH_PREFIX}/user/pin-or-password`, { GET: handlePinOrPassword }],
  [REALM_ROUTES.keySet, { GET: handleKeySet }],
  [REALM_ROUTES.discovery, { GET: handleDiscovery }],
  [REALM_ROUTES.userInfo, { GET: handleUserInfo }],
  [REALM_ROUTES.rotateKey, { POST: handleRotateKey }],
]);

export function createSandboxServer(options: SandboxOptions = {}): Server {
  return createSandbox(options).server;
}

/** The server and its settings: startSandbox names the realm's issuer once the port is known. */
function createSandbox(options: SandboxOptions): { server: Server; settings: HandlerSettings } {
  const settings: HandlerSettings = { otpTtlSeconds: options.otpTtlSeconds ?? 600, tokens: options.tokens ?? SANDBOX_TOKENS };
  const latencyMs = options.latencyMs ?? 0;
  const { onRequest } = options;

  const server = createServer((req, res) => {
    // Like pace/bricks: reuse a well-formed incoming Request-Id, otherwise mint one.
    const incomingId = req.headers['request-id'];
    const requestId = isXid(incomingId) ? incomingId : newXid();

    const answer = async (): Promise<Reply> => {
      const { text, tooLarge } = await readBody(req, MAX_BODY_BYTES);
      const method = req.method ?? 'GET';
      const path = req.url ?? '/';
      try {
        onRequest?.({ method, path, headers: { ...req.headers }, body: text });
      } catch {
        return errors.internal();
      }
      if (latencyMs > 0) await sleep(latencyMs);
      const [pathname = '', query = ''] = path.split('?', 2);
      const request = { headers: req.headers, body: text, bodyTooLarge: tooLarge, query: new URLSearchParams(query) };
      return route(method, pathname)(request, settings);
    };

    answer().then(
      (reply) => send(res, requestId, reply),
      () => send(res, requestId, errors.internal()), // e.g. the client aborted mid-body: send() then skips
    );
  });
  return { server, settings };
}

export async function startSandbox(options: SandboxOptions & { port?: number; host?: string } = {}): Promise<RunningSandbox> {
  const { port = 0, host = '127.0.0.1', ...sandboxOptions } = options;
  const { server, settings } = createSandbox(sandboxOptions);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });

  const { port: boundPort } = server.address() as AddressInfo;
  const origin = `http://${connectableHost(host)}:${boundPort}`;
  const issuer = issuerOf(origin);
  const tokens = settings.tokens.withIssuer(issuer);
  settings.tokens = tokens; // the realm's documents name this issuer
  let closing: Promise<void> | undefined;
  return {
    url: `${origin}${PATH_PREFIX}`,
    demo: demoAccounts(tokens),
    issuer,
    jwksUrl: `${origin}${REALM_ROUTES.keySet}`,
    discoveryUrl: `${origin}${REALM_ROUTES.discovery}`,
    tokens,
    close: () =>
      (closing ??= new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections(); // keep-alive clients would otherwise hold close() open
      })),
  };
}

/**
 * `npm start`'s sandbox, on `port`, or on any free port when that one is taken (`stablePort: false`:
 * its tokens then die with the process).
 */
export async function startEmbeddedSandbox(port = EMBEDDED_SANDBOX_PORT): Promise<RunningSandbox & { stablePort: boolean }> {
  try {
    return { ...(await startSandbox({ port })), stablePort: true };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error;
    return { ...(await startSandbox({ port: 0 })), stablePort: false };
  }
}

function route(method: string, pathname: string): Handler {
  const handlers = ROUTES.get(pathname);
  if (handlers === undefined) return () => errors.notFound('The requested path does not exist');
  const handler = Object.hasOwn(handlers, method) ? handlers[method] : undefined;
  if (handler === undefined) return () => errors.methodNotAllowed(Object.keys(handlers).join(', '));
  return handler;
}

/**
 * Reads the whole body but keeps at most `limit` bytes: the rest is drained so the 413 can be
 * answered in its rule order (after auth) on a still-healthy connection. Rejects if the client aborts.
 */
async function readBody(req: IncomingMessage, limit: number): Promise<{ text: string; tooLarge: boolean }> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    if (size < limit) chunks.push(chunk.subarray(0, limit - size));
    size += chunk.length;
  }
  return { text: Buffer.concat(chunks).toString('utf8'), tooLarge: size > limit };
}

function send(res: ServerResponse, requestId: string, reply: Reply): void {
  if (res.headersSent || res.destroyed || res.socket === null || res.socket.destroyed) return;
  res.writeHead(reply.status, {
    ...reply.headers,
    'Request-Id': requestId,
    'Content-Length': Buffer.byteLength(reply.body),
  });
  res.end(reply.body);
}

/** Listening on a wildcard address is fine, but clients need a concrete one to connect to. */
function connectableHost(host: string): string {
  if (host === '0.0.0.0') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return host.includes(':') ? `[${host}]` : host;
}
