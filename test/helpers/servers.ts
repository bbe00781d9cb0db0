/**
 * Port-0 servers for tests: the gateway, scripted upstreams, the gateway over a scripted upstream, and
 * a small GraphQL client. Every server is an AsyncDisposable: `await using gateway = await
 * startGateway(url)` closes it when the block ends, even when an assertion fails (close() stays for
 * beforeAll/afterAll). The gateway over the real sandbox is in sandbox.ts.
 */
import { createServer, type IncomingMessage, type RequestListener, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { print } from 'graphql';
import { request } from 'undici';
import { CreateOtpDocument } from '../../examples/operations.js';
import { loadConfig } from '../../src/config.js';
import { createGateway, type Gateway, type GatewayConfig, type GatewayOptions } from '../../src/gateway.js';
import { createLogger } from '../../src/logger.js';
import { PATH_PREFIX } from '../../src/sandbox/index.js';

export interface Listening extends AsyncDisposable {
  readonly url: string;
  readonly server: Server;
  close(): Promise<void>;
}

/** `value` with `close` as its disposal too. */
export function disposable<T extends object>(value: T, close: () => Promise<void>): T & { close(): Promise<void> } & AsyncDisposable {
  return { ...value, close, [Symbol.asyncDispose]: close };
}

/** Listens on 127.0.0.1:0; close() also ends keep-alive sockets so tests never hang. */
export async function listen(listener: RequestListener, atPort = 0): Promise<Listening> {
  const server = createServer(listener);
  await new Promise<void>((resolve) => server.listen(atPort, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const close = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  return disposable({ url: `http://127.0.0.1:${port}`, server }, close);
}

export interface RunningGateway extends Listening {
  readonly gateway: Gateway;
  /** Every line the gateway logged, raw. */
  readonly logs: string[];
}

/**
 * The gateway over real HTTP, with its logs captured (level trace unless told); `options` go to
 * createGateway (e.g. `sandboxDemo`), the logger stays the capturing one.
 */
export async function startGateway(
  paceApiUrl: string,
  env: Record<string, string> = {},
  options: Omit<GatewayOptions, 'logger'> = {},
): Promise<RunningGateway> {
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logs.push(chunk.toString());
      done();
    },
  });
  const config: GatewayConfig = { ...loadConfig({ LOG_LEVEL: 'trace', ...env }), paceApiUrl: new URL(paceApiUrl) };
  const gateway = createGateway(config, { ...options, logger: createLogger(config.logLevel, sink) });
  const http = await listen(gateway);
  return disposable({ ...http, gateway, logs }, async () => {
    await http.close();
    await gateway.dispose();
  });
}

export interface ScriptedRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
}

/** An upstream that answers as the test script says: for faults the sandbox cannot produce. */
export async function scriptedUpstream(
  answer: (request: ScriptedRequest, response: ServerResponse) => void,
): Promise<Listening & { readonly requests: ScriptedRequest[] }> {
  const requests: ScriptedRequest[] = [];
  const http = await listen((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const recorded = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString() };
      requests.push(recorded);
      answer(recorded, res);
    });
  });
  return { ...http, requests };
}

export interface ScriptedGateway extends AsyncDisposable {
  /** The gateway's URL. */
  readonly url: string;
  readonly upstream: Listening & { readonly requests: ScriptedRequest[] };
  readonly gateway: RunningGateway;
  close(): Promise<void>;
}

/** An upstream answering as `answer` says (at PACE's base path) and a gateway over it. */
export async function startScriptedGateway(
  answer: (request: ScriptedRequest, response: ServerResponse) => void,
  env: Record<string, string> = {},
): Promise<ScriptedGateway> {
  const upstream = await scriptedUpstream(answer);
  const gateway = await startGateway(`${upstream.url}${PATH_PREFIX}`, env).catch(async (error: unknown) => {
    await upstream.close();
    throw error;
  });
  return disposable({ url: gateway.url, upstream, gateway }, async () => {
    await gateway.close();
    await upstream.close();
  });
}

export interface GraphQLResponse {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: {
    data?: Record<string, any> | null;
    errors?: { message: string; path?: string[]; extensions?: Record<string, unknown> }[];
  };
}

/** POST a GraphQL operation over real HTTP. */
export async function graphql(
  gatewayUrl: string,
  query: string,
  options: { variables?: Record<string, unknown>; headers?: Record<string, string> } = {},
): Promise<GraphQLResponse> {
  const response = await request(`${gatewayUrl}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json', ...options.headers },
    body: JSON.stringify({ query, variables: options.variables }),
  });
  return { status: response.statusCode, headers: response.headers, body: (await response.body.json()) as GraphQLResponse['body'] };
}

/** The createOtp mutation selecting every union member: the document the examples send (examples/operations.ts). */
export const CREATE_OTP = print(CreateOtpDocument);

/** The credentials query selecting every union member. */
export const CREDENTIALS = /* GraphQL */ `
  query Credentials {
    credentials {
      __typename
      ... on Credentials { pin password }
      ... on Error { message }
      ... on Unauthenticated { errorId }
      ... on MissingLinkedIdentity { errorId }
      ... on Forbidden { errorId }
    }
  }
`;

export const bearer = (token: string): Record<string, string> => ({ authorization: `Bearer ${token}` });

/** createOtp over real HTTP, with the token as a bearer (no Authorization header without one). */
export const createOtp = (gatewayUrl: string, input: Record<string, unknown>, token?: string, headers: Record<string, string> = {}): Promise<GraphQLResponse> =>
  graphql(gatewayUrl, CREATE_OTP, { variables: { input }, headers: { ...(token === undefined ? {} : bearer(token)), ...headers } });

