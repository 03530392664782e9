import { chaosIntegrity } from './chaos.js';
import { coverageIntegrity } from './coverage.js';
import type { Report, ReportKind, ReportOf } from './envelope.js';
import { evalIntegrity } from './eval.js';
import { loadIntegrity } from './load.js';
import { securityIntegrity } from './security.js';

const byKind: { [K in ReportKind]: (report: ReportOf<K>) => string[] } = {
  eval: evalIntegrity,
  load: loadIntegrity,
  chaos: chaosIntegrity,
  coverage: coverageIntegrity,
  security: securityIntegrity,
};

/**
 * Why a schema-valid report still cannot stand as evidence (duplicated or missing results, a run that measured
 * nothing, a summary its results do not give), or an empty list. The gate marks such evidence invalid.
 *
 * @example
 *   integrityProblems(report); // ['duplicated results: fs-owner gold#0']
 */
export function integrityProblems(report: Report): string[] {
  return (byKind[report.kind] as (r: Report) => string[])(report);
}
