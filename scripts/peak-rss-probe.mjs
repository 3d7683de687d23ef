// Preloaded into every node process of a timed command (NODE_OPTIONS=--import=<this file>) by
// tools/checker-speed.ts: at exit, the process appends its own peak RSS to the file named by
// LOCKBENCH_RSS_PROBE_FILE, because node cannot read a child's resource usage from outside.
import { appendFileSync } from 'node:fs';

const file = process.env.LOCKBENCH_RSS_PROBE_FILE;
if (file) {
  process.on('exit', () => {
    // resourceUsage().maxRSS is in KiB (getrusage's ru_maxrss on Linux).
    const line = JSON.stringify({ pid: process.pid, argv: process.argv.slice(1, 3), maxRssBytes: process.resourceUsage().maxRSS * 1024 });
    appendFileSync(file, line + '\n');
  });
}
