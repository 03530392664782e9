import type { EvalResult, EvalSummary } from './report/envelope.js';
import { passHatK, percentile, wilson } from './stats/index.js';

const ratio = (a: number, b: number): number | null => (b === 0 ? null : a / b);

/**
 * The eval summary, recomputed from results alone (so merged reports stay consistent). Harness errors count
 * as runs that did not pass, and separately in harnessErrorRate.
 *
 * @example
 *   const summary = summarise(results, 3); // passK.k = 3
 */
export function summarise(results: readonly EvalResult[], k = 1): EvalSummary {
  const runs = results.length;
  const passed = results.filter((r) => r.pass).length;
  const errors = results.filter((r) => r.error).length;
  const judged = results.filter((r) => !r.error);
  // A failed call the case expected (its error path is the point) is not a tool failure.
  const tools = results.filter((r) => !r.variant.startsWith('faulty:')).flatMap((r) => r.toolCalls).filter((t) => !(t.expectedError && !t.ok));
  const gold = results.filter((r) => r.variant === 'gold');
  const faulty = results.filter((r) => r.variant.startsWith('faulty:'));
  const faultyJudged = faulty.filter((r) => !r.error);

  const groups = new Map<string, EvalResult[]>();
  for (const r of results) groups.set(`${r.caseId}|${r.variant}`, [...(groups.get(`${r.caseId}|${r.variant}`) ?? []), r]);
  // pass^k is about the agent succeeding; faulty variants are meant to fail, so they are left out.
  const scored = [...groups].filter(([, rs]) => !rs[0]!.variant.startsWith('faulty:'));
  const perGroup = scored.map(([key, rs]) => ({ key, value: passHatK(rs.filter((r) => r.pass).length, rs.length, k) }));
  const floor = perGroup.reduce<{ key: string; value: number } | undefined>((m, g) => (!m || g.value < m.value ? g : m), undefined);

  const perCategory: NonNullable<EvalSummary['perCategory']> = {};
  for (const r of results.filter((x) => !x.variant.startsWith('faulty:'))) {
    const e = (perCategory[r.category] ??= { runs: 0, passed: 0, passRate: 0 });
    e.runs++;
    if (r.pass) e.passed++;
    e.passRate = e.passed / e.runs;
  }

  const perGrader: NonNullable<EvalSummary['perGrader']> = {};
  const tallies = new Map<string, { goldRuns: number; goldPassed: number; faultyRuns: number; faultyCaught: number }>();
  for (const r of judged)
    for (const g of r.graders) {
      const e = (perGrader[g.id] ??= { runs: 0, passed: 0, skipped: 0 });
      if (g.skipped) {
        e.skipped++;
        continue;
      }
      e.runs++;
      if (g.pass) e.passed++;
      const t = tallies.get(g.id) ?? { goldRuns: 0, goldPassed: 0, faultyRuns: 0, faultyCaught: 0 };
      if (r.variant === 'gold') {
        t.goldRuns++;
        if (g.pass) t.goldPassed++;
      } else if (r.variant.startsWith('faulty:')) {
        t.faultyRuns++;
        if (!g.pass) t.faultyCaught++;
      }
      tallies.set(g.id, t);
    }
  const simulated = gold.length + faulty.length > 0;
  if (simulated)
    for (const [id, t] of tallies) Object.assign(perGrader[id]!, { specificity: ratio(t.goldPassed, t.goldRuns), sensitivity: ratio(t.faultyCaught, t.faultyRuns) });

  // The agent's quality is measured on runs that should pass (gold, live); faulty runs measure the graders.
  const quality = results.filter((r) => !r.variant.startsWith('faulty:'));
  const qualityPassed = quality.filter((r) => r.pass).length;
  const qualityJudged = quality.filter((r) => !r.error);
  const latencies = judged.map((r) => r.latencyMs);
  return {
    runs,
    cases: new Set(results.map((r) => r.caseId)).size,
    passRate: quality.length ? qualityPassed / quality.length : runs ? passed / runs : 0,
    passRateCi: wilson(quality.length ? qualityPassed : passed, quality.length || runs),
    hallucinationRate: qualityJudged.length ? qualityJudged.filter((r) => r.hallucinated).length / qualityJudged.length : 0,
    toolSuccessRate: tools.length ? tools.filter((t) => t.ok).length / tools.length : 1,
    passK: { k, rate: perGroup.length ? perGroup.reduce((s, g) => s + g.value, 0) / perGroup.length : 0, ...(floor ? { floor: floor.value, floorCase: floor.key.replace('|', ' ') } : {}) },
    ...(simulated
      ? { specificity: ratio(gold.filter((r) => r.pass).length, gold.length), sensitivity: ratio(faultyJudged.filter((r) => !r.pass).length, faulty.length) }
      : {}),
    harnessErrorRate: runs ? errors / runs : 0,
    costUsd: results.reduce((s, r) => s + r.costUsd, 0),
    latencyP50Ms: percentile(latencies, 50),
    latencyP95Ms: percentile(latencies, 95),
    latencyP99Ms: percentile(latencies, 99),
    tokens: { input: results.reduce((s, r) => s + r.tokens.input, 0), output: results.reduce((s, r) => s + r.tokens.output, 0) },
    perCategory,
    perGrader,
  };
}

/** Gold failures and uncaught faulty variants (simulated) or failures (live/replay), each with the graders' reasons. */
export function problemsOf(results: readonly EvalResult[]): string[] {
  return results.flatMap((r) => {
    const faulty = r.variant.startsWith('faulty:');
    if (r.error) return [`HARNESS ERROR ${r.caseId} ${r.variant}#${r.repeat}: [${r.error.code ?? ''}] ${r.error.message.split('\n')[0]}`];
    if (faulty && r.pass) return [`UNCAUGHT ${r.caseId} ${r.variant}#${r.repeat}: every grader passed (${r.graders.filter((g) => !g.skipped).map((g) => g.id).join(', ')})`];
    if (!faulty && !r.pass)
      return [`${r.variant === 'gold' ? 'GOLD FAIL' : 'FAIL'} ${r.caseId} ${r.variant}#${r.repeat}: ${r.graders.filter((g) => !g.pass && !g.skipped).map((g) => `${g.id}: ${g.reason}`).join(' | ')}`];
    return [];
  });
}
