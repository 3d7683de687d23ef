// What lockbench has done to the machine that it has not undone yet: faults in force (a partition,
// a paused node, a skewed clock, latency toxics) and a cluster start in progress. Each is marked
// when it takes effect and released once undone. The only reader is the forced exit (a deliberate
// second Ctrl-C, cli/context.ts), which skips every cleanup and so must say what it leaves behind
// and how to undo it, instead of leaving a fault in force silently.

export interface InForce extends Disposable {
  release(): void;
  /** Says what is in force in more detail, once known (keeps its place among the marks). */
  describe(what: string): void;
}

const marks = new Map<number, string>();
let nextId = 1;

/** Marks `what` (a sentence fragment: "partition #2 (redis-1 | redis-2)") as in force until released. */
export function markInForce(what: string): InForce {
  const id = nextId++;
  marks.set(id, what);
  const release = (): void => {
    marks.delete(id);
  };
  const describe = (text: string): void => {
    if (marks.has(id)) marks.set(id, text);
  };
  return { release, describe, [Symbol.dispose]: release };
}

/** Everything marked and not released, oldest first. */
export function inForceNow(): string[] {
  return [...marks.values()];
}
