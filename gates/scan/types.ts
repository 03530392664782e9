import type { SecurityCheck, SecurityFinding } from '../../evals/report/index.js';

/** A finding as a scanner reports it; the runner stamps the scanner's id as `check`. */
export type ScanFinding = Omit<SecurityFinding, 'check'>;

export interface ScanContext {
  /** Repository root; every file in a finding is relative to it. */
  root: string;
  /** A private temp dir for this run, removed afterwards. */
  tmp: string;
  /** Progress for humans, on stderr. */
  log: (line: string) => void;
}

export interface ScanOutcome {
  status: SecurityCheck['status'];
  /** Why the check failed, could not run or was skipped; what it covered when it passed. */
  detail: string;
  findings: ScanFinding[];
}

/**
 * One scanner check of `luminamind scan`, one file each, registered in SCANNERS.
 * A scanner that cannot run says `inconclusive` or `skipped` with the reason: never `pass`.
 *
 * @example
 *   export const fooScanner = {
 *     id: 'foo', title: 'foo rules',
 *     run: async (ctx) => ({ status: 'pass', detail: '12 files', findings: [] }),
 *   } satisfies Scanner;
 */
export interface Scanner {
  id: string;
  title: string;
  run: (ctx: ScanContext) => Promise<ScanOutcome>;
}

/** A check fails on a high or critical finding; medium and below are reported without failing it. */
export function outcomeFor(findings: ScanFinding[], detail: string): ScanOutcome {
  const severe = findings.some((f) => f.severity === 'high' || f.severity === 'critical');
  return { status: severe ? 'fail' : 'pass', detail, findings };
}
