import type { ChaosResult, ChaosSummary } from '../evals/report/envelope.js';

/**
 * The chaos summary from results alone, so `luminamind report merge` recomputes it the way the run did.
 *
 * @example
 *   summariseChaos(results); // { drills: 6, passed: 5, failed: 1 }
 */
export function summariseChaos(results: readonly ChaosResult[]): ChaosSummary {
  const passed = results.filter((r) => r.verdict === 'pass').length;
  return { drills: results.length, passed, failed: results.length - passed };
}
