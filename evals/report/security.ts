import type { SecurityCheck, SecurityFinding, SecurityReport, SecuritySummary } from './envelope.js';

/** The security summary from its findings and scanner checks (the scan writes it, the gate re-counts from results). */
export function summariseSecurity(findings: readonly SecurityFinding[], checks: SecurityCheck[]): SecuritySummary {
  const count = (s: SecurityFinding['severity']) => findings.filter((f) => f.severity === s).length;
  return { findings: { critical: count('critical'), high: count('high'), medium: count('medium'), low: count('low'), info: count('info') }, checks };
}

/** Critical and high findings: what the security gate counts. */
export function severeFindings(findings: readonly SecurityFinding[]): SecurityFinding[] {
  return findings.filter((f) => f.severity === 'critical' || f.severity === 'high');
}

/** Why a security report cannot stand as evidence, or nothing: no scanner check ran. */
export function securityIntegrity(report: Pick<SecurityReport, 'summary'>): string[] {
  return report.summary.checks.length === 0 ? ['no scanner check ran'] : [];
}
