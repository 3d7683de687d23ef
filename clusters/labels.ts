// Every container, network and image lockbench makes carries these labels, so `down` can remove
// exactly what is ours and a crashed run never leaks anything that a later run cannot find.

export const LABEL_PROJECT = 'lockbench';
export const LABEL_CLUSTER = 'lockbench.cluster'; // the cluster's name (LOCKBENCH_CLUSTER)
export const LABEL_ROLE = 'lockbench.role'; // node | toxiproxy
export const LABEL_NODE = 'lockbench.node'; // redis-1, zk-2, toxiproxy
export const LABEL_SYSTEM = 'lockbench.system'; // the driver's name (systems/registry.ts)
export const LABEL_CONFIG = 'lockbench.config'; // JSON of the cluster config the container was made for
export const LABEL_INPUTS_HASH = 'lockbench.inputs-hash'; // on images: hash of everything they were built from
export const LABEL_IMPL = 'lockbench.toxiproxy-impl'; // shopify | compat

/** Docker filter for everything lockbench made, or only one cluster's objects. */
export function projectFilter(cluster?: string): { label: string[] } {
  return { label: [`${LABEL_PROJECT}=true`, ...(cluster !== undefined ? [`${LABEL_CLUSTER}=${cluster}`] : [])] };
}
