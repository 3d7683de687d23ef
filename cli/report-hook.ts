// The report at the end of every bench and chaos run. Kept in cli/ so that chaos/ and bench/ never
// depend on report/ (report reads their results, not the other way round). A rendering problem is
// reported, never a reason to fail or lose the run.
import { errorMessage } from '../core/errors.ts';
import { logger } from '../core/log.ts';
import { renderRunReport } from '../report/index.ts';

const log = logger('report');

export async function reportQuietly(dir: string): Promise<void> {
  try {
    const r = await renderRunReport(dir);
    log.info(`${r.html} (${r.charts.length} charts, ${(r.ms / 1000).toFixed(1)} s)`);
  } catch (err) {
    log.warn(`could not render the report for ${dir}: ${errorMessage(err)} (\`npm run report -- ${dir}\` retries)`);
  }
}
