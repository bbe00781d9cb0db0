import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { handleCreateOtp, handlePinOrPassword, MAX_BODY_BYTES, type HandlerSettings, type ReceivedRequest } from './handlers.js';
import { errors, jsonReply, type Reply } from './replies.js';
import { SANDBOX_ISSUER, SANDBOX_TOKENS, type TokenIssuer } from './tokens.js';
import { DEMO } from './users.js';
import { isXid, newXid } from './xid.js';

/** Production's base path: https://api.pace.cloud/user/2024-1 */
export const PATH_PREFIX = '/user/2024-1';
/** Where the sandbox's identity provider publishes its keys (PACE's lives on its own host). */
export const JWKS_PATH = '/.well-known/jwks.json';

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
  /** The key set to verify this sandbox's tokens with, and their issuer (PACE_JWKS_URL, PACE_TOKEN_ISSUER). */
  jwksUrl: string;
  issuer: string;
  /** Signs more tokens (other `sub`, `jti`, `exp`, scopes) that this sandbox accepts. */
  tokens: TokenIssuer;
  /** Stops listening, drops every open connection, resolves once the server is closed. */
  close(): Promise<void>;
}

type Handler = (request: ReceivedRequest, settings: HandlerSettings) => Reply | Promise<Reply>;

const ROUTES = new Map<string, Readonly<Record<string, Handler>>>([
  [`${PATH_PREFIX}/user/otp`, { POST: handleCreateOtp }],
  [`${PATH_PREFIX}/user/pin-or-password`, { GET: handlePinOrPassword }],
  [JWKS_PATH, { GET: (_request, settings) => jsonReply(200, settings.tokens.jwks()) }],
]);

export function createSandboxServer(options: SandboxOptions = {}): Server {
  const settings = { otpTtlSeconds: options.otpTtlSeconds ?? 600, tokens: options.tokens ?? SANDBOX_TOKENS };
  const latencyMs = options.latencyMs ?? 0;
  const { onRequest } = options;

  return createServer((req, res) => {
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
      return route(method, path)({ headers: req.headers, body: text, bodyTooLarge: tooLarge }, settings);
    };

    answer().then(
      (reply) => send(res, requestId, reply),
      () => send(res, requestId, errors.internal()), // e.g. the client aborted mid-body: send() then skips
    );
  });
}

export async function startSandbox(options: SandboxOptions & { port?: number; host?: string } = {}): Promise<RunningSandbox> {
  const { port = 0, host = '127.0.0.1', ...sandboxOptions } = options;
  const server = createSandboxServer(sandboxOptions);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });

  const { port: boundPort } = server.address() as AddressInfo;
  const origin = `http://${connectableHost(host)}:${boundPort}`;
  let closing: Promise<void> | undefined;
  return {
    url: `${origin}${PATH_PREFIX}`,
    demo: DEMO,
    jwksUrl: `${origin}${JWKS_PATH}`,
    issuer: SANDBOX_ISSUER,
    tokens: sandboxOptions.tokens ?? SANDBOX_TOKENS,
    close: () =>
      (closing ??= new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections(); // keep-alive clients would otherwise hold close() open
      })),
  };
}

function route(method: string, path: string): Handler {
  const pathname = path.split('?')[0] ?? '';
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
