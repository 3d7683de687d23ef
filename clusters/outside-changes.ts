// Changes to the lab's cluster that lockbench did not make, seen while a chaos run goes on: a node
// container removed by someone else (`docker rm -f`), or the Docker engine going away (restarted
// or stopped). Either means the run no longer tests what it was asked to, so the runner stops it
// with this reason instead of reporting a verdict as if nothing had happened. The faults lockbench
// applies itself never remove a container, so every `destroy` event here came from outside.
import type Docker from 'dockerode';
import { errorMessage } from '../core/errors.ts';
import { LABEL_CLUSTER, LABEL_NODE } from './labels.ts';

export interface OutsideChanges {
  /** The first change seen, as a sentence; undefined while there has been none. */
  readonly reason: string | undefined;
  stop(): void;
}

interface DockerEvent {
  readonly Action?: string;
  readonly Actor?: { readonly Attributes?: Record<string, string> };
}

/** Watches the cluster's containers through the engine's event stream; `onChange` is called once. */
export async function watchOutsideChanges(docker: Docker, cluster: string, onChange: (reason: string) => void): Promise<OutsideChanges> {
  let reason: string | undefined;
  let stopped = false;
  const report = (why: string): void => {
    if (stopped || reason !== undefined) return;
    reason = why;
    onChange(why);
  };
  const stream = (await docker.getEvents({ filters: { type: ['container'], event: ['destroy'], label: [`${LABEL_CLUSTER}=${cluster}`] } })) as NodeJS.ReadableStream & { destroy?: () => void };
  let pending = '';
  stream.on('data', (chunk: Buffer) => {
    pending += chunk.toString();
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) {
      if (line.trim() === '') continue;
      try {
        const e = JSON.parse(line) as DockerEvent;
        const attrs = e.Actor?.Attributes ?? {};
        report(`node ${attrs[LABEL_NODE] ?? attrs['name'] ?? '?'} (container ${attrs['name'] ?? '?'}) was removed by something outside lockbench during the run`);
      } catch {
        // Not an event line; the engine sends nothing else on this stream.
      }
    }
  });
  stream.on('error', (err: unknown) => report(`the Docker engine stopped answering during the run (${errorMessage(err)}): restarted or stopped from outside?`));
  stream.on('end', () => report('the Docker engine closed its event stream during the run: restarted or stopped from outside?'));
  return {
    get reason() {
      return reason;
    },
    stop: () => {
      stopped = true;
      stream.destroy?.();
    },
  };
}
