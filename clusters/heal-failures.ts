// What a heal that could not finish says. Nodes that failed for the same reason are named together
// (an engine restarted from outside made seventeen identical "connect ENOENT /var/run/docker.sock"
// clauses), and when the Docker engine itself no longer answers that is said first, with what to
// run: the engine stopped the containers, so nothing was left to heal until it is back.

export interface HealFailure {
  /** A node name, or "the proxies". */
  readonly what: string;
  readonly cause: string;
}

const REPAIR = '`npm run up` repairs the cluster (it recreates what is missing), or `npm run down` removes it';

export function healFailureText(failures: readonly HealFailure[], engineAnswers: boolean): string {
  const byCause = new Map<string, string[]>();
  for (const f of failures) {
    const names = byCause.get(f.cause);
    if (names === undefined) byCause.set(f.cause, [f.what]);
    else names.push(f.what);
  }
  const clauses = [...byCause].map(([cause, names]) => `${names.join(', ')}${names.length > 2 ? ` (${names.length})` : ''}: ${cause}`);
  const next = engineAnswers ? REPAIR : `the Docker engine does not answer (restarted or stopped from outside?): start it with \`npm run setup\`; then ${REPAIR}`;
  return `could not heal ${clauses.join('; ')}. ${next}`;
}
