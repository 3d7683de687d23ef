// What the toxiproxy-compat proxy itself costs, with no toxics: round-trip latency (many small
// sequential request/response exchanges on one connection) and bulk throughput, measured through
// the proxy and directly against the same upstream on 127.0.0.1 in the same run, reported as
// figures and proxied/direct ratios. Every phase is bounded in count and in time.
//   node --import tsx tools/proxy-overhead.ts [--json] [--round-trips N] [--bulk-mb N] [--in-process]
import { spawn } from 'node:child_process';
import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { Toxiproxy } from 'toxiproxy-node-client';
import { WaitTimeoutError } from '../core/errors.ts';
import { startToxiproxyCompat } from '../toxiproxy-compat/server.ts';
import { runTool } from './args.ts';

const HOST = '127.0.0.1';
const HEADER_BYTES = 8;
const WRITE_BYTES = 64 * 1024;

export interface ProxyOverheadOptions {
  /** Measured round trips per path (after the warm-up). */
  readonly roundTrips?: number;
  readonly warmupRoundTrips?: number;
  readonly messageBytes?: number;
  /** Bytes per bulk transfer; each path runs `bulkRepeats` transfers and reports the median. */
  readonly bulkBytes?: number;
  readonly bulkRepeats?: number;
  /** Deadline for each phase (one path's round trips, one bulk transfer). */
  readonly phaseDeadlineMs?: number;
  /**
   * 'process' (default) runs the proxy as its own process through toxiproxy-compat/main.ts, as it
   * is deployed, so it does not share this event loop with the client and the upstream;
   * 'in-process' embeds it (cheaper to start, but all three then share one thread).
   */
  readonly proxyMode?: 'process' | 'in-process';
}

export interface PathFigures {
  readonly roundTrips: number;
  readonly rttP50Us: number;
  readonly rttP99Us: number;
  readonly rttMeanUs: number;
  /** Median of the bulk transfers, MB = 10^6 bytes. */
  readonly throughputMBps: number;
  readonly bulkMs: readonly number[];
}

export interface ProxyOverheadResult {
  readonly config: Required<ProxyOverheadOptions>;
  readonly direct: PathFigures;
  readonly proxied: PathFigures;
  /** proxied / direct: above 1 for latency means slower, below 1 for throughput means slower. */
  readonly ratios: { readonly rttP50: number; readonly rttP99: number; readonly throughput: number };
}

const defaults: Required<ProxyOverheadOptions> = {
  roundTrips: 5000,
  warmupRoundTrips: 500,
  messageBytes: 32,
  bulkBytes: 256 * 1024 * 1024,
  bulkRepeats: 5,
  phaseDeadlineMs: 30_000,
  proxyMode: 'process',
};

interface RunningProxy {
  readonly url: string;
  close(): Promise<void>;
}

const entry = fileURLToPath(new URL('../toxiproxy-compat/main.ts', import.meta.url));
const projectRoot = fileURLToPath(new URL('..', import.meta.url));

/** Starts toxiproxy-compat/main.ts and reads its API URL from the first log line. */
async function startProxyProcess(timeoutMs: number): Promise<RunningProxy> {
  const child = spawn(process.execPath, ['--import', 'tsx', entry, '-host=127.0.0.1', '-port=0'], {
    cwd: projectRoot,
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, LOCKBENCH_QUIET: '', LOCKBENCH_DEBUG: '' },
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let stderr = '';
  const url = await deadline(
    new Promise<string>((resolve, reject) => {
      child.stderr.on('data', (data: Buffer) => {
        stderr += data.toString('utf8');
        const match = /API listening on (http:\/\/\S+)/.exec(stderr);
        if (match?.[1] !== undefined) resolve(match[1]);
      });
      void exited.then(() => reject(new Error(`toxiproxy-compat exited early: ${stderr.trim()}`)));
    }),
    timeoutMs,
    'toxiproxy-compat process start',
    () => child.kill('SIGKILL'),
  );
  return {
    url,
    close: async () => {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      await deadline(exited, timeoutMs, 'toxiproxy-compat process exit', () => child.kill('SIGKILL')).catch(() => undefined);
    },
  };
}

function deadline<T>(promise: Promise<T>, timeoutMs: number, what: string, onTimeout: () => void): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        onTimeout();
        reject(new WaitTimeoutError(what, timeoutMs));
      }, timeoutMs);
    }),
  ]).finally(() => clearTimeout(timer));
}

function listen(server: Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, HOST, () => resolve((server.address() as AddressInfo).port));
  });
}

function closeServer(server: Server, sockets: Set<Socket>): Promise<void> {
  for (const socket of sockets) socket.destroy();
  return new Promise((resolve) => server.close(() => resolve()));
}

/** Echo for round trips; a sink that acknowledges a length-prefixed transfer for bulk. */
function startUpstreams(): { echo: Server; sink: Server; sockets: Set<Socket> } {
  const sockets = new Set<Socket>();
  const track = (socket: Socket): void => {
    sockets.add(socket);
    socket.setNoDelay(true);
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
  };
  const echo = createServer((socket) => {
    track(socket);
    socket.pipe(socket);
  });
  const sink = createServer((socket) => {
    track(socket);
    let header = Buffer.alloc(0);
    let expectedBytes = -1;
    let receivedBytes = 0;
    socket.on('data', (data: Buffer) => {
      if (expectedBytes < 0) {
        header = Buffer.concat([header, data]);
        if (header.length < HEADER_BYTES) return;
        expectedBytes = Number(header.readBigUInt64BE(0));
        receivedBytes = header.length - HEADER_BYTES;
      } else {
        receivedBytes += data.length;
      }
      if (receivedBytes >= expectedBytes) {
        socket.write('K');
        expectedBytes = -1;
        header = Buffer.alloc(0);
      }
    });
  });
  return { echo, sink, sockets };
}

function open(port: number, timeoutMs: number): Promise<Socket> {
  const socket = connect({ host: HOST, port });
  socket.setNoDelay(true);
  return deadline(
    new Promise<Socket>((resolve, reject) => {
      socket.once('connect', () => resolve(socket));
      socket.once('error', reject);
    }),
    timeoutMs,
    `connect to ${HOST}:${port}`,
    () => socket.destroy(),
  );
}

/** Sequential round trips on one connection; returns each one's duration in µs. */
async function measureRoundTrips(port: number, count: number, messageBytes: number, deadlineMs: number): Promise<number[]> {
  const socket = await open(port, deadlineMs);
  const message = Buffer.alloc(messageBytes, 0x72);
  const samplesUs: number[] = [];
  let pending = 0;
  let wake: (() => void) | undefined;
  socket.on('data', (data: Buffer) => {
    pending -= data.length;
    if (pending <= 0 && wake) wake();
  });
  const run = async (): Promise<void> => {
    const stopAt = performance.now() + deadlineMs;
    for (let i = 0; i < count && performance.now() < stopAt; i++) {
      const done = new Promise<void>((resolve) => (wake = resolve));
      pending = messageBytes;
      const startNs = process.hrtime.bigint();
      socket.write(message);
      await done;
      samplesUs.push(Number(process.hrtime.bigint() - startNs) / 1000);
    }
  };
  try {
    await deadline(run(), deadlineMs + 1000, `${count} round trips to port ${port}`, () => socket.destroy());
  } finally {
    socket.destroy();
  }
  return samplesUs;
}

/** Sends `bytes` to the sink and waits for its acknowledgement; returns the elapsed ms. */
async function measureBulk(port: number, bytes: number, deadlineMs: number): Promise<number> {
  const socket = await open(port, deadlineMs);
  const block = Buffer.alloc(WRITE_BYTES, 0x62);
  const header = Buffer.alloc(HEADER_BYTES);
  header.writeBigUInt64BE(BigInt(bytes));
  const acked = new Promise<void>((resolve, reject) => {
    socket.once('data', () => resolve());
    socket.once('close', () => reject(new Error('the sink closed before acknowledging')));
  });
  const send = async (): Promise<void> => {
    socket.write(header);
    for (let sentBytes = 0; sentBytes < bytes; ) {
      const part = Math.min(WRITE_BYTES, bytes - sentBytes);
      sentBytes += part;
      if (!socket.write(part === WRITE_BYTES ? block : block.subarray(0, part))) {
        await new Promise<void>((resolve) => socket.once('drain', resolve));
      }
    }
    await acked;
  };
  const startMs = performance.now();
  try {
    await deadline(send(), deadlineMs, `bulk transfer of ${bytes} B to port ${port}`, () => socket.destroy());
    return performance.now() - startMs;
  } finally {
    socket.destroy();
  }
}

function percentile(sorted: readonly number[], fraction: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(fraction * sorted.length) - 1));
  return sorted[rank] ?? Number.NaN;
}

function median(values: readonly number[]): number {
  return percentile([...values].sort((a, b) => a - b), 0.5);
}

function figures(samplesUs: readonly number[], bulkMs: readonly number[], bulkBytes: number): PathFigures {
  const sorted = [...samplesUs].sort((a, b) => a - b);
  const meanUs = sorted.reduce((sum, v) => sum + v, 0) / Math.max(1, sorted.length);
  const medianMs = median(bulkMs);
  return {
    roundTrips: sorted.length,
    rttP50Us: percentile(sorted, 0.5),
    rttP99Us: percentile(sorted, 0.99),
    rttMeanUs: meanUs,
    throughputMBps: bulkBytes / 1e6 / (medianMs / 1000),
    bulkMs,
  };
}

export async function runProxyOverheadBench(options: ProxyOverheadOptions = {}): Promise<ProxyOverheadResult> {
  const config: Required<ProxyOverheadOptions> = { ...defaults, ...options };
  const upstreams = startUpstreams();
  const compat: RunningProxy =
    config.proxyMode === 'process' ? await startProxyProcess(config.phaseDeadlineMs) : await startToxiproxyCompat({ host: HOST, port: 0 });
  try {
    const echoPort = await listen(upstreams.echo);
    const sinkPort = await listen(upstreams.sink);
    const toxiproxy = new Toxiproxy(compat.url);
    const portOf = (listenAddress: string): number => Number(listenAddress.slice(listenAddress.lastIndexOf(':') + 1));
    const echoProxy = await toxiproxy.createProxy({ name: 'bench-echo', listen: `${HOST}:0`, upstream: `${HOST}:${echoPort}` });
    const sinkProxy = await toxiproxy.createProxy({ name: 'bench-sink', listen: `${HOST}:0`, upstream: `${HOST}:${sinkPort}` });
    const ports = {
      direct: { echo: echoPort, sink: sinkPort },
      proxied: { echo: portOf(echoProxy.listen), sink: portOf(sinkProxy.listen) },
    };

    const rtt: Record<'direct' | 'proxied', number[]> = { direct: [], proxied: [] };
    for (const path of ['direct', 'proxied'] as const) {
      await measureRoundTrips(ports[path].echo, config.warmupRoundTrips, config.messageBytes, config.phaseDeadlineMs);
      rtt[path] = await measureRoundTrips(ports[path].echo, config.roundTrips, config.messageBytes, config.phaseDeadlineMs);
    }
    // Interleaved, so a burst of noise from the other processes hits both paths alike.
    const bulk: Record<'direct' | 'proxied', number[]> = { direct: [], proxied: [] };
    for (let i = 0; i < config.bulkRepeats; i++) {
      for (const path of ['direct', 'proxied'] as const) {
        bulk[path].push(await measureBulk(ports[path].sink, config.bulkBytes, config.phaseDeadlineMs));
      }
    }
    const direct = figures(rtt.direct, bulk.direct, config.bulkBytes);
    const proxied = figures(rtt.proxied, bulk.proxied, config.bulkBytes);
    return {
      config,
      direct,
      proxied,
      ratios: {
        rttP50: proxied.rttP50Us / direct.rttP50Us,
        rttP99: proxied.rttP99Us / direct.rttP99Us,
        throughput: proxied.throughputMBps / direct.throughputMBps,
      },
    };
  } finally {
    await compat.close();
    await closeServer(upstreams.echo, upstreams.sockets);
    await closeServer(upstreams.sink, upstreams.sockets);
  }
}

export function formatTable(result: ProxyOverheadResult): string {
  const row = (label: string, cells: readonly string[]): string => `${label.padEnd(24)}${cells.map((c) => c.padStart(14)).join('')}`;
  const f = (value: number, digits: number): string => value.toFixed(digits);
  const { direct, proxied, ratios, config } = result;
  return [
    `proxy overhead: ${direct.roundTrips}/${proxied.roundTrips} round trips of ${config.messageBytes} B, ` +
      `${config.bulkRepeats} × ${f(config.bulkBytes / 1e6, 1)} MB bulk (median), 127.0.0.1, no toxics, proxy ${config.proxyMode}`,
    row('path', ['rtt p50 µs', 'rtt p99 µs', 'rtt mean µs', 'bulk MB/s']),
    row('direct', [f(direct.rttP50Us, 1), f(direct.rttP99Us, 1), f(direct.rttMeanUs, 1), f(direct.throughputMBps, 0)]),
    row('toxiproxy-compat', [f(proxied.rttP50Us, 1), f(proxied.rttP99Us, 1), f(proxied.rttMeanUs, 1), f(proxied.throughputMBps, 0)]),
    row('ratio proxied/direct', [f(ratios.rttP50, 2), f(ratios.rttP99, 2), f(proxied.rttMeanUs / direct.rttMeanUs, 2), f(ratios.throughput, 2)]),
  ].join('\n');
}

runTool('proxy-overhead', import.meta.url, { json: { type: 'boolean' }, 'round-trips': { type: 'string' }, 'bulk-mb': { type: 'string' }, 'in-process': { type: 'boolean' } }, async (a) => {
  const result = await runProxyOverheadBench({
    roundTrips: a.number('round-trips', defaults.roundTrips, { min: 1, integer: true }),
    bulkBytes: a.number('bulk-mb', defaults.bulkBytes / 1024 / 1024, { min: 1, integer: true }) * 1024 * 1024,
    proxyMode: a.flag('in-process') ? 'in-process' : 'process',
  });
  process.stdout.write(a.flag('json') ? `${JSON.stringify(result, null, 2)}\n` : `${formatTable(result)}\n`);
});
