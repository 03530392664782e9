import type { EvalReport, EvalResult } from '../../evals/report/envelope.js';

// Measures are recomputed from results (DESIGN: nothing in a summary that results cannot give), over the
// runs that judge the agent: gold or live variants the harness completed. Faulty variants judge the graders.
const isFaulty = (r: EvalResult) => r.variant.startsWith('faulty:');

export function judgedRuns(report: EvalReport): EvalResult[] {
  return report.results.filter((r) => !isFaulty(r) && !r.error);
}

export function faultyRuns(report: EvalReport): EvalResult[] {
  return report.results.filter((r) => isFaulty(r) && !r.error);
}

export function passRate(report: EvalReport): { passed: number; runs: number; rate: number | null } {
  const runs = judgedRuns(report);
  const passed = runs.filter((r) => r.pass).length;
  return { passed, runs: runs.length, rate: runs.length ? passed / runs.length : null };
}

/** Share of judged runs flagged as hallucinated; falls back to the summary when results carry no flag. */
export function hallucinationRate(report: EvalReport): number | null {
  const runs = judgedRuns(report);
  const flagged = runs.filter((r) => r.hallucinated !== undefined);
  if (flagged.length === 0) return runs.length ? report.summary.hallucinationRate : null;
  return flagged.filter((r) => r.hallucinated).length / flagged.length;
}

/** Tool calls that succeeded / tool calls made, over judged runs; the summary's value when no tool was called. */
export function toolSuccessRate(report: EvalReport): { ok: number; calls: number; rate: number | null } {
  // A failed call its case expected (an error-path case) is the right outcome, not a tool failure.
  const calls = judgedRuns(report).flatMap((r) => r.toolCalls).filter((c) => !(c.expectedError && !c.ok));
  const ok = calls.filter((c) => c.ok).length;
  return { ok, calls: calls.length, rate: calls.length ? ok / calls.length : judgedRuns(report).length ? report.summary.toolSuccessRate : null };
}

/** pass^k: share of (case, variant) groups whose every repeat passed; k is the largest repeat count seen. */
export function passK(report: EvalReport): { k: number; groups: number; rate: number | null } {
  const groups = new Map<string, boolean[]>();
  for (const r of judgedRuns(report)) {
    const key = `${r.caseId}\u0000${r.variant}`;
    groups.set(key, [...(groups.get(key) ?? []), r.pass]);
  }
  const all = [...groups.values()];
  const k = Math.max(0, ...all.map((g) => g.length));
  return { k, groups: all.length, rate: all.length ? all.filter((g) => g.every(Boolean)).length / all.length : null };
}

export function harnessErrorRate(report: EvalReport): { errors: number; runs: number; rate: number | null } {
  const errors = report.results.filter((r) => r.error).length;
  return { errors, runs: report.results.length, rate: report.results.length ? errors / report.results.length : null };
}

export const pairKey = (r: EvalResult) => `${r.caseId}\u0000${r.variant}\u0000${r.repeat}`;

export interface Flip {
  caseId: string;
  variant: string;
  repeat: number;
  from: 'pass' | 'fail';
  to: 'pass' | 'fail';
}

/** Results paired with the baseline by caseId, variant and repeat (the `eval compare` pairing); discordant pairs only. */
export function flips(baseline: EvalReport, candidate: EvalReport): { paired: number; regressed: Flip[]; improved: Flip[] } {
  const before = new Map(judgedRuns(baseline).map((r) => [pairKey(r), r]));
  const regressed: Flip[] = [];
  const improved: Flip[] = [];
  let paired = 0;
  for (const r of judgedRuns(candidate)) {
    const b = before.get(pairKey(r));
    if (!b) continue;
    paired += 1;
    const flip = { caseId: r.caseId, variant: r.variant, repeat: r.repeat };
    if (b.pass && !r.pass) regressed.push({ ...flip, from: 'pass', to: 'fail' });
    if (!b.pass && r.pass) improved.push({ ...flip, from: 'fail', to: 'pass' });
  }
  return { paired, regressed, improved };
}
