import { fileURLToPath } from 'node:url';
import { parse, stringify } from 'yaml';
import { z } from 'zod';

/** The production rules every drill copy is generated from, so the alert logic under test is the shipped one. */
export const RULES_FILE = fileURLToPath(new URL('../../../deploy/monitoring/rules/luminamind-alerts.yaml', import.meta.url));

/** Drill time runs 60× faster than production: a production minute is a drill second (5m window → 5s). */
export const TIME_SCALE = 60;
/** Range windows never go below 4 scrapes, so rate()/increase() still see two samples when one scrape is missed. */
export const MIN_WINDOW_MS = 4_000;
/** `for:` is scaled like windows but capped, so a 5-second fault can still reach firing (15m → 5s, not 15s). */
export const MAX_FOR_MS = 5_000;
export const SCRAPE_INTERVAL = '1s';

const UNIT_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000, y: 31_536_000_000 } as const;
export function parseDuration(text: string): number {
  let ms = 0;
  let seen = '';
  for (const [whole, n, unit] of text.matchAll(/(\d+)(ms|s|m|h|d|w|y)/g)) {
    ms += Number(n) * UNIT_MS[unit as keyof typeof UNIT_MS];
    seen += whole;
  }
  // Every character must belong to a number+unit part, or it is not a duration.
  if (!seen || seen !== text) throw new Error(`not a Prometheus duration: ${text}`);
  return ms;
}

export function formatDuration(ms: number): string {
  const whole = Math.round(ms);
  return whole % 1_000 === 0 ? `${whole / 1_000}s` : `${whole}ms`;
}

const scaleWindow = (d: string) => formatDuration(Math.max(MIN_WINDOW_MS, parseDuration(d) / TIME_SCALE));
const scaleOffset = (d: string) => formatDuration(parseDuration(d) / TIME_SCALE);
const scaleFor = (d: string) => formatDuration(Math.min(MAX_FOR_MS, parseDuration(d) / TIME_SCALE));

/**
 * Rewrites every range window (`[5m]`, subquery `[1h:1m]`) and `offset` of a PromQL expression to drill time;
 * quoted strings (label values, regexes) are left alone. Returns the rewritten expression and each window's change.
 */
export function compressExpr(expr: string): { expr: string; windows: [string, string][] } {
  const windows: [string, string][] = [];
  const outside = (code: string) =>
    code
      // eslint-disable-next-line security/detect-unsafe-regex -- bounded by ']' and run on our own rules file, no backtracking blow-up
      .replace(/\[([0-9a-z]+)(:[0-9a-z]*)?\]/g, (_m, range: string, step: string | undefined) => {
        const to = scaleWindow(range);
        windows.push([range, to]);
        if (step === undefined) return `[${to}]`;
        return `[${to}:${step.length > 1 ? formatDuration(Math.max(1_000, parseDuration(step.slice(1)) / TIME_SCALE)) : ''}]`;
      })
      .replace(/\boffset(\s+)(-?)([0-9a-z]+)/g, (_m, space: string, sign: string, d: string) => `offset${space}${sign}${scaleOffset(d)}`);
  const parts = expr.split(/("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`)/);
  return { expr: parts.map((part, i) => (i % 2 ? part : outside(part))).join(''), windows };
}

const RuleSchema = z.looseObject({ alert: z.string().optional(), record: z.string().optional(), expr: z.string(), for: z.string().optional() });
const RulesFileSchema = z.object({ groups: z.array(z.looseObject({ name: z.string(), interval: z.string().optional(), rules: z.array(RuleSchema) })) });

export interface CompressedRules {
  yaml: string;
  /** Per alert: production and drill `for` (null: none), and each window's rewrite. */
  changes: Record<string, { for: [string, string] | null; windows: [string, string][]; expr: string }>;
}

/** The drill copy of a rules file: group intervals = the drill's evaluation interval, `for` and windows in drill time. */
export function compressRules(rulesYaml: string): CompressedRules {
  const file = RulesFileSchema.parse(parse(rulesYaml));
  const changes: CompressedRules['changes'] = {};
  const groups = file.groups.map((group) => ({
    ...group,
    interval: SCRAPE_INTERVAL,
    rules: group.rules.map((rule) => {
      const { expr, windows } = compressExpr(rule.expr);
      const forChange: [string, string] | null = rule.for ? [rule.for, scaleFor(rule.for)] : null;
      if (rule.alert) changes[rule.alert] = { for: forChange, windows, expr };
      return { ...rule, expr, ...(forChange ? { for: forChange[1] } : {}) };
    }),
  }));
  return { yaml: stringify({ groups }, { lineWidth: 0 }), changes };
}
