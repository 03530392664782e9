import type { CheckOutcome, CheckPolicy, Threshold, Unit, Verdict } from './types.js';

const OP_TEXT = { gte: '≥', gt: '>', lte: '≤', lt: '<' } as const;

export function meets(value: number, t: Threshold): boolean {
  switch (t.op) {
    case 'gte':
      return value >= t.value;
    case 'gt':
      return value > t.value;
    case 'lte':
      return value <= t.value;
    case 'lt':
      return value < t.value;
  }
}

/** Renders a value in its unit, e.g. 0.9532 ratio → "95.32%", 4210 ms → "4210 ms". */
export function formatValue(value: number | null | undefined, unit: Unit): string {
  if (value === null || value === undefined || Number.isNaN(value)) return '—';
  switch (unit) {
    case 'ratio':
      return `${(value * 100).toFixed(2)}%`;
    case 'pct':
      return `${value.toFixed(2)}%`;
    case 'change':
      return `${value >= 0 ? '+' : ''}${(value * 100).toFixed(1)}%`;
    case 'ms':
      return `${Math.round(value)} ms`;
    case 'rps':
      return `${value.toFixed(1)} rps`;
    case 'p':
      return `p=${value.toPrecision(3)}`;
    case 'count':
      return String(value);
  }
}

export function formatThreshold(t: Threshold | undefined, unit: Unit): string | null {
  return t ? `${OP_TEXT[t.op]} ${formatValue(t.value, unit)}` : null;
}

/**
 * The shared judgement of a measured value: threshold (fail), warn bound (warn), and baseline
 * regression. Lower-is-better or higher-is-better follows the threshold's operator.
 */
export function judgeMetric(args: {
  value: number;
  config: CheckPolicy;
  unit: Unit;
  baselineValue?: number | null | undefined;
  note?: string;
  details?: Record<string, unknown>;
}): CheckOutcome {
  const { value, config, unit, note, details } = args;
  const baselineValue = args.baselineValue ?? null;
  const shown = formatValue(value, unit);
  const suffix = note ? `; ${note}` : '';
  const outcome = (verdict: Verdict, reason: string): CheckOutcome => ({ verdict, measured: value, baselineValue, reason: reason + suffix, ...(details ? { details } : {}) });
  if (!config.threshold) return outcome('inconclusive', `${shown} measured, but the policy sets no threshold`);
  const wanted = formatThreshold(config.threshold, unit);
  if (!meets(value, config.threshold)) return outcome('fail', `${shown}, needs ${wanted}`);
  if (config.baseline) {
    if (baselineValue === null) {
      if (config.baseline.required) return outcome('inconclusive', `${shown} meets ${wanted}, but the required baseline is missing`);
    } else if (config.baseline.maxRegression !== undefined) {
      const higherIsBetter = config.threshold.op === 'gte' || config.threshold.op === 'gt';
      const regression = higherIsBetter ? baselineValue - value : value - baselineValue;
      if (regression > config.baseline.maxRegression)
        return outcome('fail', `${shown} regressed from ${formatValue(baselineValue, unit)} by more than ${formatValue(config.baseline.maxRegression, unit)}`);
    }
  }
  if (config.warn && !meets(value, config.warn)) return outcome('warn', `${shown} meets ${wanted} but not the warn bound ${formatThreshold(config.warn, unit)}`);
  return outcome('pass', `${shown} meets ${wanted}`);
}

export function inconclusive(reason: string, details?: Record<string, unknown>): CheckOutcome {
  return { verdict: 'inconclusive', measured: null, reason, ...(details ? { details } : {}) };
}
