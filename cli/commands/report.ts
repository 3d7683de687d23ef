// `lockbench report <run>` (re)renders a run folder's charts and report.html; `--evidence DIR`
// writes DIR/evidence.md and evidence.html from the newest bench, matrix and chaos runs in DIR.
import { relative, resolve } from 'node:path';
import type { Argv, CommandModule } from 'yargs';
import { UsageError } from '../../core/errors.ts';
import { renderEvidence, renderRunReport } from '../../report/index.ts';
import { detectRunKind } from '../../report/load-run.ts';
import { isDirectory, locateRunDir } from '../run-dir.ts';

interface ReportArgs {
  readonly run: string | undefined;
  readonly evidence: string | undefined;
}

/** The run folder: the path as given, or results/<run> for a bare run id. */
async function findRunDir(run: string): Promise<string> {
  const dir = await locateRunDir(run);
  if (dir === undefined) {
    throw new UsageError(`no run folder at ${resolve(run)}. Pass a run folder such as results/<run-id> (ls results/ lists them), or --evidence results/ for the evidence table.`);
  }
  if ((await detectRunKind(dir)) !== undefined) return dir;
  throw new UsageError(`${resolve(dir)} is not a run folder: it holds no bench.json, history.jsonl, matrix.json, trials.json or sweep.json. Pass a run folder such as results/<run-id>, results/matrix-<stamp> or results/trials-<lock>-<fault>-<stamp> (ls results/ lists them).`);
}

const shown = (p: string): string => relative(process.cwd(), p) || p;

export const reportCommand: CommandModule<object, ReportArgs> = {
  command: 'report [run]',
  describe: 'Render a run folder\'s charts and report.html, or with --evidence DIR the evidence table',
  builder: (y: Argv) =>
    y
      .positional('run', { type: 'string', describe: 'run folder (results/<run-id>, results/matrix-<stamp>, results/trials-…, results/sweep-…) or run id' })
      .option('evidence', { type: 'string', describe: 'results folder to gather the newest runs from; writes evidence.md and evidence.html there' }),
  handler: async (argv) => {
    const run = argv.run;
    const evidence = argv.evidence;
    if (evidence !== undefined) {
      if (run !== undefined) throw new UsageError('pass either a run folder or --evidence DIR, not both');
      if (evidence === '' || !(await isDirectory(evidence))) throw new UsageError(`--evidence needs the results folder, e.g. --evidence results/; ${resolve(evidence)} is not a folder`);
      const out = await renderEvidence(evidence);
      process.stdout.write(`${shown(out.md)}\n${shown(out.html)}\n`);
      return;
    }
    if (run === undefined || run === '') throw new UsageError('name the run to report: lockbench report results/<run-id> (or --evidence results/ for the evidence table)');
    const dir = await findRunDir(run);
    const out = await renderRunReport(dir);
    process.stdout.write(`${shown(out.html)} (${out.charts.length} chart files, ${(out.ms / 1000).toFixed(1)} s)\n`);
  },
};
