// Progress and diagnostics go to stderr, results to stdout or files. Namespaced so a reader can tell
// which part of the harness spoke; LOCKBENCH_QUIET=1 silences info lines (errors still print).
// Registered credentials are masked (core/secrets.ts).
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

export function logger(namespace: string): Logger {
  const write = (level: LogLevel, msg: string): void => {
    if (levelRank[level] < threshold()) return;
    const stamp = new Date().toISOString().slice(11, 23);
    process.stderr.write(`${stamp} ${level === 'info' ? '' : `${level.toUpperCase()} `}[${namespace}] ${redactSecrets(msg)}\n`);
  };
  return {
    debug: (m) => write('debug', m),
    info: (m) => write('info', m),
    warn: (m) => write('warn', m),
    error: (m) => write('error', m),
  };
}
