// Services that are not lockbench's lab, for the external-target tests: Debian's redis-server (with
// a password; also as a primary, a replica and a Sentinel), ZooKeeper and etcd (also one with
// authentication on), each started as a plain process on 127.0.0.1 on a free port, with
// its data in a temporary folder, and stopped (the folder removed) on dispose. `.ci/run` installs
// the packages; a test that finds one missing fails saying which package to install.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Etcd3 } from 'etcd3';
import { Redis } from 'ioredis';
import { waitFor } from '../../core/wait.ts';
import { openZkSession } from '../../clusters/systems/zookeeper/session.ts';

export const REDIS_PASSWORD = 'ext-test-pw-7f3a9c';

export interface ExternalServices extends AsyncDisposable {
  readonly redis: string;
  /** A second redis-server that speaks TLS only, as localhost:port; its certificate names DNS:localhost (not 127.0.0.1). */
  readonly redisTls: string;
  /** The CA that signed it (PEM). */
  readonly tlsCa: string;
  readonly zookeeper: string;
  readonly etcd: string;
  /** A second etcd with authentication on: user root, password REDIS_PASSWORD (one secret to look for in files). */
  readonly etcdAuth: string;
  /** A Redis primary with one replica and one Sentinel watching them as SENTINEL_MASTER (password on both data nodes). */
  readonly sentinel: string;
  /** A client of that primary, as the user's own tooling would connect. */
  sentinelPrimaryClient(): Redis;
  /** A Redis client as the user's own tooling would connect (password given). */
  redisClient(): Redis;
}

export const SENTINEL_MASTER = 'ext-primary';

/**
 * A port no one listens on, below the kernel's ephemeral range (32768 and up here): a port the
 * kernel hands out (listen on 0) can be taken again by an outgoing connection of another server
 * before ours binds it. Random, so that parallel test files rarely pick the same; each is tried.
 */
const taken = new Set<number>();
async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = 23000 + Math.floor(Math.random() * 9000);
    if (taken.has(port)) continue;
    const free = await new Promise<boolean>((resolve) => {
      const s = createServer();
      s.once('error', () => resolve(false));
      s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
    });
    if (free) {
      taken.add(port);
      return port;
    }
  }
  throw new Error('no free port between 23000 and 32000 after 200 tries');
}

function need(path: string, pkg: string): string {
  if (!existsSync(path)) throw new Error(`${path} is missing: install Debian's ${pkg} package (apt-get install ${pkg}); .ci/run does`);
  return path;
}

interface Started {
  readonly child: ChildProcess;
  output: string;
}

function start(cmd: string, args: readonly string[], cwd: string): Started {
  const child = spawn(cmd, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  const s: Started = { child, output: '' };
  const keep = (b: Buffer): void => {
    s.output = (s.output + b.toString()).slice(-4000);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  return s;
}

async function stop(s: Started): Promise<void> {
  if (s.child.exitCode !== null || s.child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => s.child.once('exit', () => resolve()));
  s.child.kill('SIGTERM');
  const timer = setTimeout(() => s.child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}

function alive(s: Started, name: string): void {
  if (s.child.exitCode !== null) throw new Error(`${name} exited with ${s.child.exitCode}: ${s.output}`);
}

/** Until a fresh client made by `connect` gets an answer to PING (the server process still alive). */
async function waitForPing(server: Started, name: string, connect: () => Redis, address: string): Promise<void> {
  await waitFor(
    async () => {
      alive(server, name);
      const r = connect();
      try {
        await r.connect();
        await r.ping();
        return true;
      } finally {
        r.disconnect();
      }
    },
    { what: `${name} on ${address} to answer PING`, timeoutMs: 15_000 },
  );
}

/** A CA and a server certificate for DNS:localhost only, made with openssl. */
function makeCertificates(dir: string): { ca: string; cert: string; key: string } {
  const ca = join(dir, 'ca.pem');
  const caKey = join(dir, 'ca-key.pem');
  const key = join(dir, 'server-key.pem');
  const csr = join(dir, 'server.csr');
  const cert = join(dir, 'server.pem');
  const ext = join(dir, 'san.ext');
  writeFileSync(ext, 'subjectAltName=DNS:localhost\n');
  const openssl = (...args: string[]): void => {
    const r = spawnSync(need('/usr/bin/openssl', 'openssl'), args, { cwd: dir, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`openssl ${args[0] ?? ''} failed: ${r.stderr}`);
  };
  openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', caKey, '-out', ca, '-days', '2', '-subj', '/CN=lockbench test CA');
  openssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', csr, '-subj', '/CN=localhost');
  openssl('x509', '-req', '-in', csr, '-CA', ca, '-CAkey', caKey, '-CAcreateserial', '-out', cert, '-days', '2', '-extfile', ext);
  return { ca, cert, key };
}

export async function startExternalServices(): Promise<ExternalServices> {
  const dir = mkdtempSync(join(tmpdir(), 'lockbench-external-'));
  const started: Started[] = [];
  const [redisPort, zkPort, etcdPort, etcdPeerPort, tlsPort, primaryPort, replicaPort, sentinelPort, authPort, authPeerPort] = [
    await freePort(), await freePort(), await freePort(), await freePort(), await freePort(), await freePort(), await freePort(), await freePort(), await freePort(), await freePort(),
  ];
  const dispose = async (): Promise<void> => {
    await Promise.all(started.map(stop));
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const redis = start(need('/usr/bin/redis-server', 'redis-server'), ['--bind', '127.0.0.1', '--port', String(redisPort), '--requirepass', REDIS_PASSWORD, '--save', '', '--appendonly', 'no', '--dir', dir], dir);
    started.push(redis);

    const tls = makeCertificates(dir);
    const redisTls = start('/usr/bin/redis-server', ['--bind', '127.0.0.1', '-::1', '--port', '0', '--tls-port', String(tlsPort), '--tls-cert-file', tls.cert, '--tls-key-file', tls.key, '--tls-ca-cert-file', tls.ca, '--tls-auth-clients', 'no', '--requirepass', REDIS_PASSWORD, '--save', '', '--appendonly', 'no', '--dir', dir], dir);
    started.push(redisTls);

    need('/usr/share/zookeeper/bin/zkServer.sh', 'zookeeper');
    const zkCfg = join(dir, 'zoo.cfg');
    writeFileSync(zkCfg, [`tickTime=500`, `dataDir=${join(dir, 'zk')}`, `clientPort=${zkPort}`, 'clientPortAddress=127.0.0.1', 'admin.enableServer=false', 'maxClientCnxns=0', ''].join('\n'));
    const zk = start('java', ['-Xmx256m', '-Dzookeeper.root.logger=WARN,CONSOLE', '-cp', '/etc/zookeeper/conf:/usr/share/java/*:/usr/share/zookeeper/*', 'org.apache.zookeeper.server.ZooKeeperServerMain', zkCfg], dir);
    started.push(zk);

    const etcdArgs = (name: string, clientPort: number, peerPort: number): string[] => {
      const client = `http://127.0.0.1:${clientPort}`;
      const peer = `http://127.0.0.1:${peerPort}`;
      return ['--name', name, '--data-dir', join(dir, name), '--listen-client-urls', client, '--advertise-client-urls', client, '--listen-peer-urls', peer, '--initial-advertise-peer-urls', peer, '--initial-cluster', `${name}=${peer}`];
    };
    const etcdUrl = `http://127.0.0.1:${etcdPort}`;
    const etcd = start(need('/usr/bin/etcd', 'etcd-server'), etcdArgs('ext', etcdPort, etcdPeerPort), dir);
    started.push(etcd);
    const etcdAuth = start('/usr/bin/etcd', etcdArgs('ext-auth', authPort, authPeerPort), dir);
    started.push(etcdAuth);

    // Redis with Sentinel: the replica and the Sentinel authenticate with the same password.
    const dataArgs = (port: number): string[] => ['--bind', '127.0.0.1', '--port', String(port), '--requirepass', REDIS_PASSWORD, '--masterauth', REDIS_PASSWORD, '--save', '', '--appendonly', 'no', '--dir', dir];
    const primary = start('/usr/bin/redis-server', dataArgs(primaryPort), dir);
    started.push(primary);
    const replica = start('/usr/bin/redis-server', [...dataArgs(replicaPort), '--replicaof', '127.0.0.1', String(primaryPort)], dir);
    started.push(replica);
    const sentinelConf = join(dir, 'sentinel.conf');
    writeFileSync(sentinelConf, [`port ${sentinelPort}`, 'bind 127.0.0.1', `dir ${dir}`, `sentinel monitor ${SENTINEL_MASTER} 127.0.0.1 ${primaryPort} 1`, `sentinel auth-pass ${SENTINEL_MASTER} ${REDIS_PASSWORD}`, `sentinel down-after-milliseconds ${SENTINEL_MASTER} 5000`, ''].join('\n'));
    const sentinel = start('/usr/bin/redis-server', [sentinelConf, '--sentinel'], dir);
    started.push(sentinel);

    const redisClient = (): Redis => new Redis({ host: '127.0.0.1', port: redisPort, password: REDIS_PASSWORD, lazyConnect: true, maxRetriesPerRequest: 1 });
    await waitForPing(redis, 'redis-server', redisClient, `127.0.0.1:${redisPort}`);
    const sentinelPrimaryClient = (): Redis => new Redis({ host: '127.0.0.1', port: primaryPort, password: REDIS_PASSWORD, lazyConnect: true, maxRetriesPerRequest: 1 });
    await waitForPing(primary, 'redis-server (Sentinel primary)', sentinelPrimaryClient, `127.0.0.1:${primaryPort}`);
    // The Sentinel learns of the replica from the primary's INFO, which it reads every 10 s at first.
    await waitFor(
      async () => {
        alive(sentinel, 'redis-sentinel');
        const r = new Redis({ host: '127.0.0.1', port: sentinelPort, lazyConnect: true, maxRetriesPerRequest: 1 });
        try {
          await r.connect();
          const replicas = (await r.call('SENTINEL', 'replicas', SENTINEL_MASTER)) as string[][];
          return replicas.some((f) => f.join(' ').includes(`port ${replicaPort}`) && !/s_down|disconnected/.test(f.join(' ')));
        } finally {
          r.disconnect();
        }
      },
      { what: `the Sentinel on 127.0.0.1:${sentinelPort} to name the replica on port ${replicaPort}`, timeoutMs: 45_000, intervalMs: 500 },
    );
    await waitFor(
      async () => {
        alive(zk, 'ZooKeeper');
        const s = await openZkSession(`127.0.0.1:${zkPort}`, 2000);
        await s.close();
        return true;
      },
      { what: `ZooKeeper on 127.0.0.1:${zkPort} to open a session`, timeoutMs: 60_000, intervalMs: 500 },
    );
    await waitFor(
      async () => {
        alive(etcd, 'etcd');
        const res = await fetch(`${etcdUrl}/health`, { signal: AbortSignal.timeout(2000) });
        return res.ok && ((await res.json()) as { health?: string }).health === 'true';
      },
      { what: `etcd on 127.0.0.1:${etcdPort} to report healthy`, timeoutMs: 30_000, intervalMs: 300 },
    );
    await waitFor(
      async () => {
        alive(etcdAuth, 'etcd (auth)');
        const res = await fetch(`http://127.0.0.1:${authPort}/health`, { signal: AbortSignal.timeout(2000) });
        return res.ok;
      },
      { what: `the second etcd on 127.0.0.1:${authPort} to report healthy`, timeoutMs: 30_000, intervalMs: 300 },
    );
    // etcd turns authentication on only with a root user that has the root role.
    const admin = new Etcd3({ hosts: `http://127.0.0.1:${authPort}` });
    try {
      await admin.role('root').create();
      await admin.user('root').create(REDIS_PASSWORD);
      await admin.user('root').addRole('root');
      await admin.auth.authEnable({});
    } finally {
      admin.close();
    }
    const ca = readFileSync(tls.ca);
    await waitForPing(redisTls, 'redis-server (TLS)', () => new Redis({ host: 'localhost', port: tlsPort, password: REDIS_PASSWORD, tls: { ca }, lazyConnect: true, maxRetriesPerRequest: 1 }), `localhost:${tlsPort}`);
    return {
      redis: `127.0.0.1:${redisPort}`,
      redisTls: `localhost:${tlsPort}`,
      tlsCa: tls.ca,
      zookeeper: `127.0.0.1:${zkPort}`,
      etcd: `127.0.0.1:${etcdPort}`,
      etcdAuth: `127.0.0.1:${authPort}`,
      sentinel: `127.0.0.1:${sentinelPort}`,
      sentinelPrimaryClient,
      redisClient,
      [Symbol.asyncDispose]: dispose,
    };
  } catch (err) {
    await dispose();
    throw err;
  }
}
