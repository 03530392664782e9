import { EvalUsageError } from './errors.js';
import { journalPath, openJournal, taskFingerprint, type Journal } from './journal.js';
import { readReport, resultId, type EvalResult } from './report/index.js';
import { planOf } from './task.js';
import type { Task } from './types.js';

/**
 * A run that may pick up earlier results: `--resume` (the partial results of an interrupted run of the same task)
 * or `--retry-errors REPORT` (re-run only the results the harness failed; an original is kept until its retry
 * succeeds). Every run streams its results to the partial file, so any run can be resumed.
 */
export interface Recovery {
  /** The task with its already-finished results marked to skip and every result streamed to disk. */
  task: Task;
  /** One complete result per planned id: earlier results merged with this run's. */
  combine(fresh: readonly EvalResult[], plan: readonly string[]): EvalResult[];
  journal: Journal;
  /** Results taken over from before (resumed or kept), for the report's config. */
  carried: number;
}

function inPlanOrder(results: Iterable<EvalResult>, plan: readonly string[]): EvalResult[] {
  const order = new Map(plan.map((id, i) => [id, i]));
  return [...results].sort((a, b) => (order.get(resultId(a)) ?? Infinity) - (order.get(resultId(b)) ?? Infinity));
}

/**
 * @example
 *   const { task: t, combine, journal } = await recover(task, { out, resume: true });
 *   const { results, plan } = await runEval(t); const all = combine(results, plan);
 */
export async function recover(task: Task, opts: { out: string; resume?: boolean; retryErrors?: string }): Promise<Recovery> {
  if (opts.resume && opts.retryErrors) throw new EvalUsageError('--resume and --retry-errors are exclusive: resume an interrupted run, or retry the errors of a finished report');
  const plan = planOf(task);
  let earlier: EvalResult[] = [];
  if (opts.retryErrors) {
    const report = await readReport(opts.retryErrors, 'eval');
    const same = report.plan && report.plan.length === plan.length && report.plan.every((id, i) => id === plan[i]);
    if (!same) throw new EvalUsageError(`--retry-errors: ${opts.retryErrors} was made with other options (its plan differs from this run's); repeat the options of that run`);
    earlier = report.results;
  }
  const journal = await openJournal(journalPath(opts.out), taskFingerprint(task), { resume: opts.resume });
  if (opts.resume) earlier = journal.done;
  const keep = opts.retryErrors ? earlier.filter((r) => !r.error) : earlier;
  const onResult = task.onResult;
  return {
    task: {
      ...task,
      skip: new Set(keep.map(resultId)),
      onResult: (r, done, total) => {
        journal.append(r);
        onResult?.(r, done, total);
      },
    },
    journal,
    carried: keep.length,
    combine(fresh, finalPlan) {
      const byId = new Map(earlier.map((r) => [resultId(r), r]));
      // A retry replaces the original only when it succeeded; a fresh result for a new id always counts.
      for (const r of fresh) if (!r.error || !byId.has(resultId(r))) byId.set(resultId(r), r);
      return inPlanOrder(byId.values(), finalPlan);
    },
  };
}
