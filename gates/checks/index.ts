import { chaosDrills } from './chaos-drills.js';
import { coverageLines } from './coverage-lines.js';
import { evalBaseline } from './eval-baseline.js';
import { evalGraderSensitivity } from './eval-grader-sensitivity.js';
import { evalHallucination } from './eval-hallucination.js';
import { evalHarnessErrors } from './eval-harness-errors.js';
import { evalPassK } from './eval-pass-k.js';
import { evalPassRate } from './eval-pass-rate.js';
import { evalToolSuccess } from './eval-tool-success.js';
import { loadBaseline } from './load-baseline.js';
import { loadErrorRate } from './load-error-rate.js';
import { loadP95 } from './load-p95.js';
import { loadThroughput } from './load-throughput.js';
import { securityFindings } from './security-findings.js';
import { testsPass } from './tests-pass.js';
import { CHECK_IDS, type AnyCheck, type Check, type CheckId } from './types.js';

/** Every gate check by id; a missing entry fails the build. */
export const checks = {
  'tests-pass': testsPass,
  'coverage-lines': coverageLines,
  'security-findings': securityFindings,
  'eval-pass-rate': evalPassRate,
  'eval-hallucination': evalHallucination,
  'eval-tool-success': evalToolSuccess,
  'eval-pass-k': evalPassK,
  'eval-grader-sensitivity': evalGraderSensitivity,
  'eval-harness-errors': evalHarnessErrors,
  'eval-baseline': evalBaseline,
  'load-p95': loadP95,
  'load-error-rate': loadErrorRate,
  'load-throughput': loadThroughput,
  'load-baseline': loadBaseline,
  'chaos-drills': chaosDrills,
} satisfies { [I in CheckId]: AnyCheck & { id: I } };

/** The registry widened to the common Check type, in CHECK_IDS order. */
export function listChecks(): Check[] {
  return CHECK_IDS.map((id) => checks[id] as unknown as Check);
}

export function getCheck(id: CheckId): Check {
  return checks[id] as unknown as Check;
}
