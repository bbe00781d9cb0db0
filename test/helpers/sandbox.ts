/**
 * The common test setup: the real sandbox upstream and a gateway over it, both on port 0, as one
 * AsyncDisposable fixture (a scripted upstream for faults is startScriptedGateway in servers.ts).
 *
 *   await using sandboxed = await startSandboxedGateway({ env: { PIN_MAX_FAILURES: '2' } });
 *
 * It closes the gateway first, then the sandbox, when the block ends; useSandboxedGateway shares one
 * for a whole test file.
 */
import { beforeAll, beforeEach } from 'vitest';
import { DEMO, startSandbox, type RecordedRequest, type RunningSandbox, type SandboxOptions } from '../../src/sandbox/index.js';
import type { GatewayOptions } from '../../src/gateway.js';
import { createOtp, disposable, startGateway, type RunningGateway } from './servers.js';

type Env = Record<string, string>;

export interface SandboxedGatewayOptions {
  /** The gateway's environment; as a function, it can read the sandbox (jwksUrl, issuer). */
  readonly env?: Env | ((sandbox: RunningSandbox) => Env);
  /** The sandbox's options (latency, OTP lifetime, token issuer). */
  readonly sandbox?: Omit<SandboxOptions, 'onRequest'>;
  /** createGateway's options (e.g. `sandboxDemo`). */
  readonly gateway?: Omit<GatewayOptions, 'logger'>;
  /** Where to record what the sandbox receives; a new array unless given. */
  readonly received?: RecordedRequest[];
}

export interface SandboxedGateway extends AsyncDisposable {
  /** The gateway's URL. */
  readonly url: string;
  readonly sandbox: RunningSandbox;
  readonly gateway: RunningGateway;
  /** What the sandbox received, in order. */
  readonly received: RecordedRequest[];
  close(): Promise<void>;
}

/** The real sandbox upstream and a gateway over it. */
export async function startSandboxedGateway(options: SandboxedGatewayOptions = {}): Promise<SandboxedGateway> {
  const received = options.received ?? [];
  const sandbox = await startSandbox({ ...options.sandbox, onRequest: (request) => received.push(request) });
  const env = typeof options.env === 'function' ? options.env(sandbox) : options.env;
  const gateway = await startGateway(sandbox.url, env, options.gateway).catch(async (error: unknown) => {
    await sandbox.close();
    throw error;
  });
  return disposable({ url: gateway.url, sandbox, gateway, received }, async () => {
    await gateway.close();
    await sandbox.close();
  });
}

/**
 * One sandboxed gateway for the whole test file (beforeAll, disposed after the last test), with
 * `received` emptied before each test.
 */
export function useSandboxedGateway(env: Env = {}): Pick<SandboxedGateway, 'sandbox' | 'gateway' | 'received'> {
  const received: RecordedRequest[] = [];
  const setup = { received } as { sandbox: RunningSandbox; gateway: RunningGateway; received: RecordedRequest[] };
  beforeAll(async () => {
    const started = await startSandboxedGateway({ env, received });
    setup.sandbox = started.sandbox;
    setup.gateway = started.gateway;
    return () => started.close();
  });
  beforeEach(() => {
    received.length = 0;
  });
  return setup;
}

/** One PIN attempt as a demo account (the demo user unless told): the createOtp union member it got. */
export const attempt = async (gatewayUrl: string, pin: string, token: string = DEMO.user.token) =>
  (await createOtp(gatewayUrl, { pin }, token)).body.data?.['createOtp'];
