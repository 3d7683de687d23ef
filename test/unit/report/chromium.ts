// Loads a page in headless Chromium (Debian's `chromium` package) over the DevTools protocol on
// a pipe (--remote-debugging-pipe: NUL-delimited JSON on fds 3 and 4), so the test needs neither
// a WebSocket client nor playwright. Collects every network request and console error.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable, Writable } from 'node:stream';

export const CHROMIUM_CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];

/** The browser binary, or undefined; CHROMIUM_PATH overrides the search. */
export function findChromium(): string | undefined {
  const env = process.env['CHROMIUM_PATH'];
  if (env !== undefined && env !== '') return existsSync(env) ? env : undefined;
  return CHROMIUM_CANDIDATES.find((p) => existsSync(p));
}

export function chromiumVersion(bin: string): string {
  const r = spawnSync(bin, ['--version'], { encoding: 'utf8', timeout: 20_000 });
  return (r.stdout || r.stderr).trim();
}

export interface PageLoad {
  /** Every URL the page requested, in order. */
  readonly requests: readonly string[];
  /** console.error calls, uncaught exceptions and browser log entries of level error. */
  readonly errors: readonly string[];
  /** Value of the expression evaluated once the page settled. */
  readonly result: unknown;
}

interface CdpMessage {
  readonly id?: number;
  readonly method?: string;
  readonly params?: Record<string, unknown>;
  readonly result?: Record<string, unknown>;
  readonly error?: { message: string };
  readonly sessionId?: string;
}

class Cdp {
  private nextId = 1;
  private buffer = '';
  private readonly pending = new Map<number, { resolve: (r: Record<string, unknown>) => void; reject: (e: Error) => void }>();
  readonly listeners: ((m: CdpMessage) => void)[] = [];

  constructor(
    private readonly out: Writable,
    input: Readable,
  ) {
    input.setEncoding('utf8');
    input.on('data', (chunk: string) => {
      this.buffer += chunk;
      let nul: number;
      while ((nul = this.buffer.indexOf('\0')) >= 0) {
        const text = this.buffer.slice(0, nul);
        this.buffer = this.buffer.slice(nul + 1);
        this.dispatch(JSON.parse(text) as CdpMessage);
      }
    });
  }

  private dispatch(m: CdpMessage): void {
    if (m.id !== undefined) {
      const p = this.pending.get(m.id);
      this.pending.delete(m.id);
      if (m.error) p?.reject(new Error(m.error.message));
      else p?.resolve(m.result ?? {});
      return;
    }
    for (const l of this.listeners) l(m);
  }

  send(method: string, params: Record<string, unknown> = {}, sessionId?: string): Promise<Record<string, unknown>> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.out.write(`${JSON.stringify({ id, method, params, ...(sessionId !== undefined ? { sessionId } : {}) })}\0`);
    });
  }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** A device's screen in CSS pixels; `mobile` also gives it a phone's meta-viewport handling. */
export interface Viewport {
  readonly width: number;
  readonly height: number;
  readonly mobile: boolean;
}

/** An iPhone 12–15's CSS viewport, the common phone width. */
export const PHONE: Viewport = { width: 390, height: 844, mobile: true };

/**
 * Opens `url`, waits until `ready` (a JS expression) is truthy or `timeoutMs` passes, then
 * evaluates `expression` and returns it with the requests and errors seen. With `viewport`, the
 * page is laid out as on that screen (DevTools device emulation) before it loads.
 */
export async function loadPage(bin: string, url: string, ready: string, expression: string, timeoutMs = 30_000, viewport?: Viewport): Promise<PageLoad> {
  const profile = mkdtempSync(join(tmpdir(), 'lockbench-chromium-'));
  const args = [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-dev-shm-usage',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--disable-default-apps',
    '--disable-extensions',
    '--no-first-run',
    '--no-default-browser-check',
    '--mute-audio',
    `--user-data-dir=${profile}`,
    '--remote-debugging-pipe',
    '--window-size=1400,1000',
    'about:blank',
  ];
  const child: ChildProcess = spawn(bin, args, { stdio: ['ignore', 'ignore', 'pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (b: Buffer) => (stderr += b.toString()));
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  try {
    const toBrowser = child.stdio[3] as Writable;
    const fromBrowser = child.stdio[4] as Readable;
    const cdp = new Cdp(toBrowser, fromBrowser);
    const requests: string[] = [];
    const errors: string[] = [];
    cdp.listeners.push((m) => {
      const p = m.params ?? {};
      if (m.method === 'Network.requestWillBeSent') requests.push(String((p['request'] as { url?: string } | undefined)?.url));
      if (m.method === 'Runtime.consoleAPICalled' && p['type'] === 'error') errors.push(`console.error: ${JSON.stringify(p['args'])}`);
      if (m.method === 'Runtime.exceptionThrown') errors.push(`exception: ${JSON.stringify(p['exceptionDetails'])}`);
      if (m.method === 'Log.entryAdded') {
        const e = p['entry'] as { level?: string; text?: string; url?: string } | undefined;
        if (e?.level === 'error') errors.push(`log: ${e.text ?? ''} ${e.url ?? ''}`);
      }
    });
    const { targetId } = (await withTimeout(cdp.send('Target.createTarget', { url: 'about:blank' }), 20_000, () => `Chromium did not answer on the DevTools pipe; stderr:\n${stderr}`)) as { targetId: string };
    const { sessionId } = (await cdp.send('Target.attachToTarget', { targetId, flatten: true })) as { sessionId: string };
    for (const domain of ['Network', 'Runtime', 'Log', 'Page']) await cdp.send(`${domain}.enable`, {}, sessionId);
    if (viewport) await cdp.send('Emulation.setDeviceMetricsOverride', { width: viewport.width, height: viewport.height, deviceScaleFactor: 2, mobile: viewport.mobile }, sessionId);
    await cdp.send('Page.navigate', { url }, sessionId);
    const deadline = Date.now() + timeoutMs;
    let isReady = false;
    while (Date.now() < deadline) {
      const r = (await cdp.send('Runtime.evaluate', { expression: `Boolean(${ready})`, returnByValue: true }, sessionId)) as { result?: { value?: unknown } };
      if (r.result?.value === true) {
        isReady = true;
        break;
      }
      await sleep(100);
    }
    // A moment for late requests or errors after the page says it is done.
    await sleep(300);
    const r = (await cdp.send('Runtime.evaluate', { expression, returnByValue: true }, sessionId)) as { result?: { value?: unknown } };
    if (!isReady) errors.push(`page not ready within ${timeoutMs} ms (${ready})`);
    await cdp.send('Browser.close').catch(() => undefined);
    return { requests, errors, result: r.result?.value };
  } finally {
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    if (child.exitCode === null) child.kill('SIGTERM');
    await exited;
    clearTimeout(timer);
    // Chromium's helper processes can still be writing the profile as the browser exits: retry,
    // and never fail a test over a temp folder.
    try {
      rmSync(profile, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
    } catch {
      // left for the OS to clean
    }
  }
}

async function withTimeout<T>(p: Promise<T>, ms: number, message: () => string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([p, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(message())), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}
