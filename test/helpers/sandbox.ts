/** The common test setup: the real sandbox upstream and a gateway over it, both on port 0. */
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { startSandbox, type RecordedRequest, type RunningSandbox } from '../../src/sandbox/index.js';
import { startGateway, type RunningGateway } from './servers.js';

export interface SandboxedGateway {
  readonly sandbox: RunningSandbox;
  readonly gateway: RunningGateway;
  /** What the sandbox received since the current test began. */
  readonly received: RecordedRequest[];
}

/** Registers the hooks of a test file: started once, `received` emptied before each test. */
export function useSandboxedGateway(env: Record<string, string> = {}): SandboxedGateway {
  const setup = { received: [] as RecordedRequest[] } as { sandbox: RunningSandbox; gateway: RunningGateway; received: RecordedRequest[] };
  beforeAll(async () => {
    setup.sandbox = await startSandbox({ onRequest: (request) => setup.received.push(request) });
    setup.gateway = await startGateway(setup.sandbox.url, env);
  });
  afterAll(async () => {
    await setup.gateway?.close();
    await setup.sandbox?.close();
  });
  beforeEach(() => {
    setup.received.length = 0;
  });
  return setup;
}
