/** A fault's alert may show up this long after the fault ended: one scrape + one evaluation + one API poll, rounded up. */
export const DETECTION_LAG_S = 3;

/** What a drill expects of its alert (chaos/experiments labels `luminamind.dev/expected-alert` + `alert-expectation`). */
export interface AlertExpectation {
  /** Alert name in deploy/monitoring/rules/luminamind-alerts.yaml. */
  name: string;
  expect: 'fires' | 'silent';
  /** Set when the alert's metrics come from something one machine does not run (exporter, kubelet): the journal says "not checked". */
  notCheckableLocally?: string;
  /** Set when the local drill's expectation differs from its Chaos Mesh experiment's, with the reason. */
  differsFromCluster?: string;
}

export interface AlertJournal {
  alert: string;
  expectation: 'fires' | 'silent';
  status: 'fired-and-resolved' | 'stayed-silent' | 'violated' | 'not-checked';
  /** Why it was not checked, or what was violated. */
  reason?: string;
  differsFromCluster?: string;
  /** The drill copy of the rule: production and drill `for`, the windows as rewritten, the drill expression. */
  rule?: { for: [string, string] | null; windows: [string, string][]; expr: string };
  /** Evidence the rule could see the service: series per metric it reads, and the peak of its left-hand side from the fault on (null: no data). */
  evidence?: { series: Record<string, number>; peak: number | null; threshold?: string };
  /** Seconds since the drill started (the journal's clock). */
  pendingAt?: number;
  firedAt?: number;
  resolvedAt?: number;
  /** Every state change seen on /api/v1/alerts. */
  transitions: { t: number; state: AlertState }[];
}

export type AlertState = 'inactive' | 'pending' | 'firing';

/** Metric names an expression selects (a name followed by `{` or `[`), quoted strings excluded. */
export function metricNames(expr: string): string[] {
  const code = expr.replace(/"(?:[^"\\]|\\.)*"/g, '""');
  return [...new Set([...code.matchAll(/([a-zA-Z_:][a-zA-Z0-9_:]*)\s*[{[]/g)].map((m) => m[1]!))];
}

/** Splits `lhs > 1` into the measured side and the threshold; undefined when the expression does not end in a comparison. */
export function splitThreshold(expr: string): { lhs: string; threshold: string } | undefined {
  const m = /^([\s\S]*?)\s*(>=|<=|==|!=|>|<)\s*(-?[\d.]+)\s*$/.exec(expr);
  return m ? { lhs: m[1]!, threshold: `${m[2]} ${m[3]}` } : undefined;
}

/** Judges one drill's alert from the state changes seen: fired during the fault and resolved after, or stayed silent. */
export function judgeAlert(
  expectation: AlertExpectation,
  transitions: AlertJournal['transitions'],
  window: { injectedAt: number; healedAt: number },
): Pick<AlertJournal, 'status' | 'reason' | 'pendingAt' | 'firedAt' | 'resolvedAt'> {
  const atInject = [...transitions].reverse().find((x) => x.t <= window.injectedAt)?.state ?? 'inactive';
  const later = transitions.filter((x) => x.t > window.injectedAt);
  const pendingAt = later.find((x) => x.state !== 'inactive')?.t;
  const firedAt = later.find((x) => x.state === 'firing')?.t;
  const last = transitions.at(-1)?.state ?? 'inactive';
  const resolvedAt = firedAt === undefined || last !== 'inactive' ? undefined : transitions.at(-1)!.t;
  const times = { ...(pendingAt === undefined ? {} : { pendingAt }), ...(firedAt === undefined ? {} : { firedAt }), ...(resolvedAt === undefined ? {} : { resolvedAt }) };
  if (atInject === 'firing') return { status: 'violated', reason: `${expectation.name} was already firing before the fault, so it proves nothing`, ...times };
  if (expectation.expect === 'silent') {
    if (firedAt !== undefined) return { status: 'violated', reason: `${expectation.name} was expected to stay silent but fired at ${firedAt} s`, ...times };
    return { status: 'stayed-silent', ...(pendingAt === undefined ? {} : { reason: `pending at ${pendingAt} s but never firing (its for: kept it quiet)` }), ...times };
  }
  if (firedAt === undefined) return { status: 'violated', reason: `${expectation.name} was expected to fire during the fault (${window.injectedAt}–${window.healedAt} s) but never fired`, ...times };
  if (firedAt > window.healedAt + DETECTION_LAG_S) return { status: 'violated', reason: `${expectation.name} fired at ${firedAt} s, more than ${DETECTION_LAG_S} s after the fault ended at ${window.healedAt} s`, ...times };
  if (resolvedAt === undefined) return { status: 'violated', reason: `${expectation.name} fired at ${firedAt} s and never resolved after recovery`, ...times };
  return { status: 'fired-and-resolved', ...times };
}
