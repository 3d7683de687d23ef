// What a chaos run leaves in its folder besides the history, the audit and the manifest
// (core/provenance.ts, clusters/docker-objects.ts imageIds): each node's log.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type Docker from 'dockerode';
import type { ClusterPlan } from '../clusters/topology.ts';

/** Writes each node's log (since the run started) to nodes/<name>.log. */
export async function saveNodeLogs(docker: Docker, plan: ClusterPlan, dir: string, sinceEpochS: number): Promise<void> {
  for (const c of [...plan.nodes.map((n) => ({ name: n.name, container: n.container })), { name: 'toxiproxy', container: plan.toxiproxy.container }]) {
    try {
      const buf = await docker.getContainer(c.container).logs({ stdout: true, stderr: true, since: sinceEpochS, timestamps: true });
      // Docker multiplexes stdout/stderr with 8-byte frame headers; strip them for a readable file.
      writeFileSync(join(dir, `${c.name}.log`), demux(buf));
    } catch (err) {
      writeFileSync(join(dir, `${c.name}.log`), `could not read logs: ${String(err)}\n`);
    }
  }
}

function demux(buf: Buffer): Buffer {
  const parts: Buffer[] = [];
  let i = 0;
  while (i + 8 <= buf.length) {
    const kind = buf[i];
    const len = buf.readUInt32BE(i + 4);
    if ((kind !== 1 && kind !== 2) || i + 8 + len > buf.length) return buf;
    parts.push(buf.subarray(i + 8, i + 8 + len));
    i += 8 + len;
  }
  return parts.length > 0 ? Buffer.concat(parts) : buf;
}
