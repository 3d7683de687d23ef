// Changes to the lab's cluster that lockbench did not make, seen while a chaos run goes on: a node
// container removed by someone else (`docker rm -f`), or the Docker engine going away (restarted
// or stopped). Either means the run no longer tests what it was asked to, so the runner stops it
// with this reason instead of reporting a verdict as if nothing had happened. The faults lockbench
// applies itself never remove a container, so every `destroy` event here came from outside.
import { createInterface } from 'node:readline';
import type Docker from 'dockerode';
import { errorMessage } from '../core/errors.ts';
import { LABEL_CLUSTER, LABEL_NODE } from './labels.ts';

export interface OutsideChanges {
  stop(): void;
}

interface DockerEvent {
  readonly Action?: string;
  readonly Actor?: { readonly Attributes?: Record<string, string> };
}

/** Watches the cluster's containers through the engine's event stream; `onChange` is called once. */
export async function watchOutsideChanges(docker: Docker, cluster: string, onChange: (reason: string) => void): Promise<OutsideChanges> {
  let reported = false;
  let stopped = false;
  const report = (why: string): void => {
    if (stopped || reported) return;
    reported = true;
    onChange(why);
  };
  const stream = (await docker.getEvents({ filters: { type: ['container'], event: ['destroy'], label: [`${LABEL_CLUSTER}=${cluster}`] } })) as NodeJS.ReadableStream & { destroy?: () => void };
  // One JSON event per line; the reader passes the stream's errors on (and would throw them unheard).
  const lines = createInterface({ input: stream });
  lines.on('line', (line) => {
    if (line.trim() === '') return;
    try {
      const attrs = (JSON.parse(line) as DockerEvent).Actor?.Attributes ?? {};
      report(`node ${attrs[LABEL_NODE] ?? attrs['name'] ?? '?'} (container ${attrs['name'] ?? '?'}) was removed by something outside lockbench during the run`);
    } catch {
      // Not an event line; the engine sends nothing else on this stream.
    }
  });
  lines.on('error', (err: unknown) => report(`the Docker engine stopped answering during the run (${errorMessage(err)}): restarted or stopped from outside?`));
  stream.on('end', () => report('the Docker engine closed its event stream during the run: restarted or stopped from outside?'));
  return {
    stop: () => {
      stopped = true;
      stream.destroy?.();
    },
  };
}
