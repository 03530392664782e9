import { readFile } from 'node:fs/promises';
import { parse } from 'yaml';
import { z } from 'zod';
import { checkGrounding, type ClaimKind } from '../../agent/src/index.js';
import { DatasetInvalidError } from '../errors.js';
import { graders, trajectory, type GraderDeps } from '../graders/index.js';
import { evidenceOf } from '../graders/grounding.js';

/** The claim kinds the grounding check extracts, each with its own row in the calibration report. */
export const CLAIM_KINDS: readonly ClaimKind[] = ['number', 'quote', 'name', 'url', 'path'];

/** What is wrong in a hallucinated item: one of the claim kinds, or a relation (true words, wrong link: the judge's job). */
export const ErrorKindSchema = z.enum(['number', 'quote', 'name', 'url', 'path', 'relation']);
export type ErrorKind = z.infer<typeof ErrorKindSchema>;

export const CalibrationItemSchema = z
  .object({
    id: z.string().min(1),
    label: z.enum(['faithful', 'hallucinated']),
    /** Hallucinated items only: the kind of the (first) unsupported claim, per the labelling rule in the set's README. */
    kind: ErrorKindSchema.optional(),
    question: z.string().min(1),
    evidence: z.array(z.string()).min(1),
    answer: z.string().min(1),
  })
  .refine((i) => (i.label === 'hallucinated') === (i.kind !== undefined), { message: 'kind is required on hallucinated items and absent on faithful ones', path: ['kind'] });
export type CalibrationItem = z.infer<typeof CalibrationItemSchema>;

export const CalibrationSetSchema = z.object({ items: z.array(CalibrationItemSchema).min(1) });

/**
 * Reads and validates a labelled calibration set (answers labelled faithful or hallucinated against their evidence).
 *
 * @example
 *   const items = await loadCalibrationSet('datasets/calibration/grounding.yaml');
 */
export async function loadCalibrationSet(path: string): Promise<CalibrationItem[]> {
  const parsed = CalibrationSetSchema.safeParse(parse(await readFile(path, 'utf8'), { maxAliasCount: -1 }));
  if (!parsed.success) throw new DatasetInvalidError(path, parsed.error.issues.map((i) => `  - ${i.path.join('.')}: ${i.message}`).join('\n'));
  const ids = parsed.data.items.map((i) => i.id);
  const dup = ids.find((id, n) => ids.indexOf(id) !== n);
  if (dup) throw new DatasetInvalidError(path, `  - duplicate id ${dup}`);
  return parsed.data.items;
}

export interface Agreement {
  /** Positive = "hallucinated". */
  tp: number;
  fp: number;
  fn: number;
  tn: number;
  precision: number | null;
  recall: number | null;
  /** False-positive rate: consistent (faithful) items flagged, fp / (fp + tn). */
  fpr: number | null;
  /** (recall + specificity) / 2, the mean of the two per-class accuracies. */
  balancedAccuracy: number | null;
  kappa: number | null;
  /** Share of positives among the labels: κ and precision read differently at 5 % than at 50 %. */
  baseRate: number | null;
}

/**
 * Krippendorff's alpha for nominal ratings: `units[i]` holds the ratings of unit i by each rater (undefined = not
 * rated). 1 = perfect agreement, 0 = no better than chance; null when it cannot be computed (no pairable values
 * or a single category). Built from the coincidence matrix, so it takes any number of raters and missing ratings.
 *
 * @example
 *   krippendorffAlpha([[true, true], [false, false], [true, false], [false, false]]); // 0.5333…
 */
export function krippendorffAlpha<T>(units: readonly (readonly (T | undefined)[])[]): number | null {
  const o = new Map<T, Map<T, number>>();
  for (const unit of units) {
    const values = unit.filter((v): v is T => v !== undefined);
    if (values.length < 2) continue;
    values.forEach((c, i) =>
      values.forEach((k, j) => {
        if (i === j) return;
        const row = o.get(c) ?? new Map<T, number>();
        row.set(k, (row.get(k) ?? 0) + 1 / (values.length - 1));
        o.set(c, row);
      }),
    );
  }
  const totals = new Map([...o].map(([c, row]) => [c, [...row.values()].reduce((a, b) => a + b, 0)]));
  const n = [...totals.values()].reduce((a, b) => a + b, 0);
  let observed = 0;
  let expected = 0;
  for (const [c, row] of o) for (const [k, v] of row) if (c !== k) observed += v;
  for (const [c, nc] of totals) for (const [k, nk] of totals) if (c !== k) expected += nc * nk;
  if (n < 2 || expected === 0) return null;
  return 1 - ((n - 1) * observed) / expected;
}

/** Precision, recall, false-positive rate, balanced accuracy and Cohen's kappa of grader vs label. */
export function agreement(pairs: readonly { predicted: boolean; actual: boolean }[]): Agreement {
  const tp = pairs.filter((p) => p.predicted && p.actual).length;
  const fp = pairs.filter((p) => p.predicted && !p.actual).length;
  const fn = pairs.filter((p) => !p.predicted && p.actual).length;
  const tn = pairs.filter((p) => !p.predicted && !p.actual).length;
  const n = pairs.length;
  const po = n ? (tp + tn) / n : 0;
  const pe = n ? ((tp + fp) * (tp + fn) + (fn + tn) * (fp + tn)) / (n * n) : 0;
  const recall = tp + fn ? tp / (tp + fn) : null;
  const fpr = fp + tn ? fp / (fp + tn) : null;
  return {
    tp,
    fp,
    fn,
    tn,
    precision: tp + fp ? tp / (tp + fp) : null,
    recall,
    fpr,
    balancedAccuracy: recall !== null && fpr !== null ? (recall + 1 - fpr) / 2 : null,
    kappa: n && pe < 1 ? (po - pe) / (1 - pe) : null,
    baseRate: n ? (tp + fn) / n : null,
  };
}

/**
 * One claim kind K: positives are the hallucinated items labelled K, negatives every faithful item; an item is
 * predicted positive when the check reports an unsupported claim of kind K. Its fpr is the share of consistent
 * items on which K alone raises a false alarm — the figure to read before alerting on that `kind` label.
 */
export type KindAgreement = Agreement;

export interface GroundingCalibration extends Agreement {
  run: true;
  misses: string[];
  byKind: Record<ClaimKind, KindAgreement>;
  /** Recall per labelled error kind (any unsupported claim counts as caught), including relations. */
  recallByErrorKind: Partial<Record<ErrorKind, { caught: number; of: number }>>;
}

export interface CalibrationReport {
  items: number;
  faithful: number;
  hallucinated: number;
  /** Several judges (JUDGE_MODEL=a,b,c): Krippendorff's alpha of their verdicts across the items. */
  judges?: { models: string[]; alpha: number | null };
  graders: { grounding?: GroundingCalibration } & Record<string, (Agreement & { run: true; misses: string[] }) | { run: false; reason: string }>;
}

/** The hallucination graders: grounding always; the judge only with a judge model (else reported as not run). */
export async function calibrate(items: readonly CalibrationItem[], deps: GraderDeps = {}): Promise<CalibrationReport> {
  const report: CalibrationReport = { items: items.length, faithful: items.filter((i) => i.label === 'faithful').length, hallucinated: items.filter((i) => i.label === 'hallucinated').length, graders: {} };
  const grounding = graders.grounding;
  const gp = grounding.params.parse({});
  const pairs: { id: string; predicted: boolean; actual: boolean; kinds: Set<ClaimKind>; item: CalibrationItem }[] = [];
  for (const item of items) {
    const t = trajectory({ answer: item.answer, turns: [item.question], context: item.evidence });
    const out = grounding.grade(gp, t);
    // The same check the grader runs, for the kinds of the unsupported claims.
    const claims = checkGrounding(t.answer, evidenceOf(t), { allowArithmetic: gp.allowArithmetic, ignore: gp.ignore });
    if (claims.grounded !== out.pass) throw new Error(`calibration: grader and check disagree on ${item.id}`);
    pairs.push({ id: item.id, predicted: !out.pass, actual: item.label === 'hallucinated', kinds: new Set(claims.unsupported.map((c) => c.kind)), item });
  }
  const byKind = Object.fromEntries(
    CLAIM_KINDS.map((k) => [k, agreement(pairs.filter((p) => !p.actual || p.item.kind === k).map((p) => ({ predicted: p.kinds.has(k), actual: p.actual })))]),
  ) as Record<ClaimKind, KindAgreement>;
  const recallByErrorKind: GroundingCalibration['recallByErrorKind'] = {};
  for (const k of ErrorKindSchema.options) {
    const of = pairs.filter((p) => p.item.kind === k);
    if (of.length) recallByErrorKind[k] = { caught: of.filter((p) => p.predicted).length, of: of.length };
  }
  report.graders.grounding = {
    run: true,
    ...agreement(pairs),
    misses: pairs.filter((p) => p.predicted !== p.actual).map((p) => `${p.id} (${p.actual ? `missed ${p.item.kind ?? ''} hallucination` : `false alarm: ${[...p.kinds].join('+')}`})`),
    byKind,
    recallByErrorKind,
  };
  if (!deps.judge && !deps.judges?.length) report.graders.judge = { run: false, reason: 'not run: no JUDGE_MODEL configured' };
  else {
    const judgePairs: { id: string; predicted: boolean; actual: boolean }[] = [];
    const votes: boolean[][] = [];
    const jp = graders.judge.params.parse({ rubric: 'Every claim in the answer is supported by the evidence.', criterion: 'faithfulness' });
    for (const item of items) {
      const out = await graders.judge.grade(jp, trajectory({ answer: item.answer, turns: [item.question], context: item.evidence }), deps);
      judgePairs.push({ id: item.id, predicted: !out.pass, actual: item.label === 'hallucinated' });
      if (out.judge) votes.push(out.judge.votes.map((v) => !v.pass));
    }
    if (deps.judges && deps.judges.length > 1) report.judges = { models: deps.judges.map((j) => j.model), alpha: krippendorffAlpha(votes) };
    report.graders.judge = { run: true, ...agreement(judgePairs), misses: judgePairs.filter((p) => p.predicted !== p.actual).map((p) => p.id) };
  }
  return report;
}

const pct = (v: number | null): string => (v === null ? '—' : `${(v * 100).toFixed(1)}%`);

/** The human-readable calibration table printed by `luminamind eval calibrate`. */
export function formatCalibration(r: CalibrationReport): string {
  const head = (first: string): string =>
    `  ${first.padEnd(12)} ${'precision'.padStart(10)} ${'recall'.padStart(8)} ${'FPR'.padStart(7)} ${'bal.acc'.padStart(8)} ${'kappa'.padStart(7)} ${'base'.padStart(6)}  tp/fp/fn/tn`;
  const row = (id: string, g: Agreement): string =>
    `  ${id.padEnd(12)} ${pct(g.precision).padStart(10)} ${pct(g.recall).padStart(8)} ${pct(g.fpr).padStart(7)} ${pct(g.balancedAccuracy).padStart(8)} ${(g.kappa === null ? '—' : g.kappa.toFixed(3)).padStart(7)} ${pct(g.baseRate).padStart(6)}  ${g.tp}/${g.fp}/${g.fn}/${g.tn}`;
  const lines = [
    `calibration over ${r.items} labelled item(s): ${r.faithful} faithful, ${r.hallucinated} hallucinated (positive = hallucinated; FPR = faithful items flagged)`,
    head('grader'),
  ];
  for (const [id, g] of Object.entries(r.graders)) {
    if (!g) continue;
    if (!g.run) lines.push(`  ${id.padEnd(12)} ${g.reason}`);
    else lines.push(row(id, g));
  }
  const g = r.graders.grounding;
  if (g) {
    lines.push('', '  grounding by claim kind (positives: items whose planted error is that kind; negatives: all faithful items)', head('kind'));
    for (const k of CLAIM_KINDS) lines.push(row(k, g.byKind[k]));
    lines.push(`  caught by error kind: ${Object.entries(g.recallByErrorKind).map(([k, v]) => `${k} ${v.caught}/${v.of}`).join(', ')}`);
    if (g.misses.length) lines.push(`  disagreements: ${g.misses.join(', ')}`);
  }
  if (r.judges) lines.push(`  judges agree: Krippendorff's alpha ${r.judges.alpha === null ? '—' : r.judges.alpha.toFixed(3)} across ${r.judges.models.join(', ')} (1 = always, 0 = chance)`);
  for (const [id, j] of Object.entries(r.graders)) if (id !== 'grounding' && j?.run && j.misses.length) lines.push(`  ${id} disagreements: ${j.misses.join(', ')}`);
  return `${lines.join('\n')}\n`;
}
