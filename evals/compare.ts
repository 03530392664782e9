import type { EvalReport, EvalResult } from './report/envelope.js';
import { mcnemarExact } from './stats/index.js';

export interface Comparison {
  verdict: 'regressed' | 'improved' | 'no significant change';
  pValue: number;
  /** Pairs that passed in the baseline and fail in the candidate, as `caseId variant#repeat`. */
  regressed: string[];
  improved: string[];
  pairs: number;
  alpha: number;
}

const key = (r: EvalResult): string => `${r.caseId} ${r.variant}#${r.repeat}`;

/** A run went as it should: gold and live runs pass, faulty variants are caught (fail without a harness error). */
export function asExpected(r: EvalResult): boolean {
  return r.variant.startsWith('faulty:') ? !r.pass && !r.error : r.pass;
}

/**
 * Exact McNemar test over results paired by (caseId, variant, repeat); unpaired results are ignored. A pair is
 * concordant when both runs went as expected (see asExpected) or both did not; harness errors never go as expected.
 *
 * @example
 *   compareReports(base, candidate) // { verdict: 'regressed', pValue: 0.0215, regressed: ['fs-owner gold#0', …], … }
 */
export function compareResults(base: readonly EvalResult[], candidate: readonly EvalResult[], alpha = 0.05): Comparison {
  const baseline = new Map(base.map((r) => [key(r), r]));
  const regressed: string[] = [];
  const improved: string[] = [];
  let pairs = 0;
  for (const c of candidate) {
    const b = baseline.get(key(c));
    if (!b) continue;
    pairs++;
    if (asExpected(b) && !asExpected(c)) regressed.push(key(c));
    if (!asExpected(b) && asExpected(c)) improved.push(key(c));
  }
  const pValue = mcnemarExact(regressed.length, improved.length);
  const verdict = pValue < alpha ? (regressed.length > improved.length ? 'regressed' : 'improved') : 'no significant change';
  return { verdict, pValue, regressed, improved, pairs, alpha };
}

export function compareReports(base: EvalReport, candidate: EvalReport, alpha = 0.05): Comparison {
  return compareResults(base.results, candidate.results, alpha);
}
