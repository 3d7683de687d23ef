// Checks that the ports a cluster will publish are free before anything is created, so a clash
// is a clear usage error instead of a half-started cluster.
import { createServer } from 'node:net';
import { HarnessError } from '../core/errors.ts';
import { portSpan } from './topology.ts';

function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen({ host: '127.0.0.1', port, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

export async function assertPortsFree(ports: readonly number[]): Promise<void> {
  const taken: number[] = [];
  for (const port of ports) if (!(await isFree(port))) taken.push(port);
  if (taken.length > 0) {
    const shown = taken.slice(0, 5).join(', ') + (taken.length > 5 ? `, … (${taken.length} in all)` : '');
    throw new HarnessError(
      'PORT_IN_USE',
      `port${taken.length > 1 ? 's' : ''} ${shown} on 127.0.0.1 ${taken.length > 1 ? 'are' : 'is'} already in use by another program; ` +
        `stop that program, or move lockbench's ports with --port-base N (default 17000; it uses N+1 … N+${portSpan()})`,
    );
  }
}
