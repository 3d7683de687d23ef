// Progress and diagnostics go to stderr, results to stdout or files. Namespaced so a reader can tell
// which part of the harness spoke; LOCKBENCH_QUIET=1 silences info lines (errors still print).
// Registered credentials are masked (core/secrets.ts). On a terminal a progress bar may sit under
// these lines (core/progress.ts): it moves itself out of their way, so they need not know.
import { redactSecrets } from './secrets.ts';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

const levelRank: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };

function threshold(): number {
  if (process.env['LOCKBENCH_DEBUG']) return levelRank.debug;
  if (process.env['LOCKBENCH_QUIET']) return levelRank.warn;
  return levelRank.info;
}

export interface Logger {
  debug(msg: string): void;
  info(msg: string): void;
  warn(msg: string): void;
  error(msg: string): void;
}

/** One log line: "12:34:56.789 [bench] msg", with the level before the namespace unless info. */
export function formatLogLine(level: LogLevel, namespace: string, msg: string, now: Date = new Date()): string {
  return `${now.toISOString().slice(11, 23)} ${level === 'info' ? '' : `${level.toUpperCase()} `}[${namespace}] ${redactSecrets(msg)}\n`;
}

/** `stream`: where the lines go (tests); process.stderr by default, looked up at each line. */
export function logger(namespace: string, stream?: NodeJS.WritableStream): Logger {
  const write = (level: LogLevel, msg: string): void => {
    if (levelRank[level] < threshold()) return;
    (stream ?? process.stderr).write(formatLogLine(level, namespace, msg));
  };
  return {
    debug: (m) => write('debug', m),
    info: (m) => write('info', m),
    warn: (m) => write('warn', m),
    error: (m) => write('error', m),
  };
}
