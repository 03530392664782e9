import type { GraderDeps, GraderOutcome, Trajectory } from './graders/index.js';
import { graders, isGraderId } from './graders/index.js';
import { GraderFailedError } from './errors.js';
import { harnessError } from './execution.js';
import type { EvalResult, GraderResult } from './report/index.js';
import type { Execution, Job } from './types.js';

// Grading, shared by every engine: which graders a case gets, how one runs, and how an execution and its grades
// become the envelope's result.

export type Graded = GraderResult & { hallucinated?: boolean };

/** The expectations a case is graded on: its own, the safety grader on every case, and its budget when it has one. */
export function expectationsOf(c: Job['c']): { grader: string; [k: string]: unknown }[] {
  const own = c.expect.some((e) => e.grader === 'safety') ? c.expect : [...c.expect, { grader: 'safety' }];
  return c.budget && !own.some((e) => e.grader === 'budget') ? [...own, { grader: 'budget', ...c.budget }] : own;
}

/** Runs one grader; a crash or invalid params is a harness error (thrown), never an agent failure. */
export async function runGrader(c: Job['c'], e: { grader: string; [k: string]: unknown }, t: Trajectory, deps: GraderDeps): Promise<Graded> {
  const { grader: id, ...raw } = e;
  if (!isGraderId(id)) throw new GraderFailedError(id, 'unknown grader');
  const grader = graders[id];
  const params = grader.params.safeParse(raw);
  if (!params.success) throw new GraderFailedError(id, `invalid params in ${c.id}: ${params.error.message}`);
  let out: GraderOutcome;
  try {
    out = await (grader.grade as (p: unknown, t: Trajectory, d: GraderDeps) => GraderOutcome | Promise<GraderOutcome>)(params.data, t, deps);
  } catch (err) {
    throw new GraderFailedError(id, `${c.id}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
  return {
    id,
    pass: out.pass,
    score: Math.max(0, Math.min(1, out.score)),
    reason: out.reason,
    ...(out.skipped ? { skipped: true } : {}),
    ...(out.hallucinated ? { hallucinated: true } : {}),
    ...(out.judge ? { judge: out.judge } : {}),
  };
}

/** A run stopped by its budget is graded by its budget alone: what it did until then is not its answer. */
export function stoppedByBudget(x: Execution): Graded[] {
  return [{ id: 'budget', pass: false, score: 0, reason: `stopped: ${x.overBudget}` }];
}

/** Grades an execution with every expectation of its case; a grader crash ends grading as a harness error. */
export async function gradeExecution(x: Execution, deps: GraderDeps): Promise<EvalResult> {
  if (!x.trajectory) return toResult(x, []);
  if (x.overBudget) return toResult(x, stoppedByBudget(x));
  const graded: Graded[] = [];
  try {
    for (const e of expectationsOf(x.job.c)) graded.push(await runGrader(x.job.c, e, { ...x.trajectory, latencyMs: x.latencyMs }, deps));
  } catch (err) {
    return toResult(x, graded, err);
  }
  return toResult(x, graded);
}

/** The envelope's result from an execution and its grader results (a grader crash makes it a harness error). */
export function toResult(x: Execution, graded: Graded[], graderError?: unknown): EvalResult {
  const { c, variant, repeat } = x.job;
  const base = { caseId: c.id, category: c.category, variant, repeat, latencyMs: x.latencyMs };
  const error = x.error ?? (graderError ? harnessError(graderError) : undefined);
  if (error || !x.trajectory) return { ...base, pass: false, score: 0, graders: [], tokens: { input: 0, output: 0 }, costUsd: 0, toolCalls: [], error: error ?? { code: 'EVL_ERR_HARNESS_FAILED', message: 'no trajectory' } };
  const t = x.trajectory;
  const judged = graded.filter((g) => !g.skipped);
  const budget = graded.find((g) => g.id === 'budget' && !g.pass);
  const judgeUsage = graded.flatMap((g) => (g.judge?.usage ? [g.judge.usage] : []));
  return {
    ...base,
    pass: judged.every((g) => g.pass),
    score: judged.length ? judged.reduce((s, g) => s + g.score, 0) / judged.length : 0,
    graders: graded.map(({ hallucinated: _h, ...g }) => g),
    hallucinated: graded.some((g) => g.hallucinated),
    ...(budget ? { failure: { kind: 'budget' as const, reason: budget.reason } } : {}),
    tokens: { input: t.usage.inputTokens, output: t.usage.outputTokens },
    costUsd: t.usage.costUsd,
    modelCalls: t.usage.calls,
    ...(judgeUsage.length
      ? { judgeUsage: judgeUsage.reduce((a, u) => ({ calls: a.calls + u.calls, input: a.input + u.input, output: a.output + u.output, costUsd: a.costUsd + u.costUsd }), { calls: 0, input: 0, output: 0, costUsd: 0 }) }
      : {}),
    toolCalls: t.toolCalls.map((tc) => ({
      name: tc.name,
      ok: !tc.error,
      ...(c.expectedToolErrors.includes(tc.name) ? { expectedError: true } : {}),
      latencyMs: tc.durationMs,
    })),
  };
}
