/** A real Redis Cluster for e2e tests: six redis-server processes (3 masters, 3 replicas) on free ports. */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';

export interface ClusterNode {
  readonly port: number;
  readonly child: ChildProcess;
}

export interface RedisCluster {
  readonly nodes: readonly ClusterNode[];
  /** The node's `redis-cli` answer to a command. */
  cli(port: number, ...args: string[]): string;
  /** The port of the master serving `key`'s slot. */
  masterOf(key: string): Promise<number>;
  stop(): Promise<void>;
}

/** Six nodes with `--cluster-node-timeout 2000`, joined with `redis-cli --cluster create … --cluster-replicas 1`. */
export async function startRedisCluster(): Promise<RedisCluster> {
  const dir = mkdtempSync(join(tmpdir(), 'redis-cluster-'));
  const ports = await clusterPorts(6);
  const nodes = ports.map((port) => ({
    port,
    child: spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--cluster-enabled', 'yes', '--cluster-node-timeout', '2000', '--cluster-config-file', `nodes-${port}.conf`, '--dir', dir, '--save', '', '--appendonly', 'no'],
      { stdio: 'ignore' },
    ),
  }));
  const cli = (port: number, ...args: string[]) => spawnSync('redis-cli', ['-p', String(port), ...args], { encoding: 'utf8' }).stdout.trim();
  const stop = async () => {
    await Promise.all(
      nodes.map(async ({ child }) => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        const exited = once(child, 'exit');
        child.kill('SIGKILL');
        await exited;
      }),
    );
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await joinCluster(nodes, cli);
  } catch (error) {
    await stop(); // no nodes left running after a failed start
    throw error;
  }
  return {
    nodes,
    cli,
    masterOf: async (key) => {
      const alive = nodes.find(({ child }) => child.exitCode === null && child.signalCode === null)!;
      const client = new Redis(alive.port, '127.0.0.1', { lazyConnect: true, maxRetriesPerRequest: 1 });
      client.on('error', () => undefined); // surfaces on the calls below
      try {
        const slot = (await client.call('CLUSTER', 'KEYSLOT', key)) as number;
        const ranges = (await client.call('CLUSTER', 'SLOTS')) as [number, number, [string, number]][];
        const range = ranges.find(([from, to]) => from <= slot && slot <= to);
        return range![2][1];
      } finally {
        client.disconnect();
      }
    },
    stop,
  };
}

/** Waits for the nodes, joins them (three masters, one replica each), and waits until every replica is in sync. */
async function joinCluster(nodes: readonly { readonly port: number }[], cli: (port: number, ...args: string[]) => string): Promise<void> {
  for (const { port } of nodes) await until(() => cli(port, 'PING') === 'PONG', 10_000);
  const created = spawnSync('redis-cli', ['--cluster', 'create', ...nodes.map(({ port }) => `127.0.0.1:${port}`), '--cluster-replicas', '1', '--cluster-yes'], { encoding: 'utf8' });
  if (created.status !== 0) throw new Error(`redis-cli --cluster create failed:\n${created.stdout}${created.stderr}`);
  for (const { port } of nodes) await until(() => cli(port, 'CLUSTER', 'INFO').includes('cluster_state:ok'), 20_000);
  // Every replica in sync with its master, so a failover can promote it.
  for (const { port } of nodes) await until(() => !cli(port, 'ROLE').startsWith('slave') || cli(port, 'ROLE').split('\n')[3] === 'connected', 20_000);
}

/**
 * Free ports whose cluster bus port (+10000) is free too, both below Linux's ephemeral range
 * (32768 on): a port in it can be taken by any test's outgoing connection between this check and
 * redis-server's bind, and the node then never starts.
 */
async function clusterPorts(count: number): Promise<number[]> {
  const ports: number[] = [];
  while (ports.length < count) {
    const port = 12_000 + Math.floor(Math.random() * 10_000);
    if (!ports.includes(port) && (await isFree(port)) && (await isFree(port + 10_000))) ports.push(port);
  }
  return ports;
}

async function isFree(port: number): Promise<boolean> {
  const server = createServer();
  server.listen(port, '127.0.0.1');
  try {
    await once(server, 'listening');
    await new Promise((resolve) => server.close(resolve));
    return true;
  } catch {
    return false;
  }
}

export async function until(condition: () => boolean | Promise<boolean>, timeoutMs: number): Promise<number> {
  const started = Date.now();
  while (!(await condition())) {
    if (Date.now() - started > timeoutMs) throw new Error(`condition not met within ${timeoutMs} ms`);
    await sleep(100);
  }
  return Date.now() - started;
}
