import { readFile } from 'node:fs/promises';
import { parse } from 'yaml';
import { z } from 'zod';
import { DatasetInvalidError } from '../errors.js';
import { graders, trajectory, type GraderDeps } from '../graders/index.js';

export const CalibrationItemSchema = z.object({
  id: z.string().min(1),
  label: z.enum(['faithful', 'hallucinated']),
  question: z.string().min(1),
  evidence: z.array(z.string()).min(1),
  answer: z.string().min(1),
});
export type CalibrationItem = z.infer<typeof CalibrationItemSchema>;

export const CalibrationSetSchema = z.object({ items: z.array(CalibrationItemSchema).min(1) });

/**
 * Reads and validates a labelled calibration set (answers labelled faithful or hallucinated against their evidence).
 *
 * @example
 *   const items = await loadCalibrationSet('datasets/calibration/grounding.yaml');
 */
export async function loadCalibrationSet(path: string): Promise<CalibrationItem[]> {
  const parsed = CalibrationSetSchema.safeParse(parse(await readFile(path, 'utf8')));
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
  kappa: number | null;
}

/** Precision and recall of flagging hallucinations, and Cohen's kappa of grader vs label. */
export function agreement(pairs: readonly { predicted: boolean; actual: boolean }[]): Agreement {
  const tp = pairs.filter((p) => p.predicted && p.actual).length;
  const fp = pairs.filter((p) => p.predicted && !p.actual).length;
  const fn = pairs.filter((p) => !p.predicted && p.actual).length;
  const tn = pairs.filter((p) => !p.predicted && !p.actual).length;
  const n = pairs.length;
  const po = n ? (tp + tn) / n : 0;
  const pe = n ? ((tp + fp) * (tp + fn) + (fn + tn) * (fp + tn)) / (n * n) : 0;
  return {
    tp,
    fp,
    fn,
    tn,
    precision: tp + fp ? tp / (tp + fp) : null,
    recall: tp + fn ? tp / (tp + fn) : null,
    kappa: n && pe < 1 ? (po - pe) / (1 - pe) : null,
  };
}

export interface CalibrationReport {
  items: number;
  graders: Record<string, (Agreement & { run: true; misses: string[] }) | { run: false; reason: string }>;
}

/** The hallucination graders: grounding always; the judge only with a judge model (else reported as not run). */
export async function calibrate(items: readonly CalibrationItem[], deps: GraderDeps = {}): Promise<CalibrationReport> {
  const report: CalibrationReport = { items: items.length, graders: {} };
  const grounding = graders.grounding;
  const gp = grounding.params.parse({});
  const pairs: { id: string; predicted: boolean; actual: boolean }[] = [];
  for (const item of items) {
    const out = grounding.grade(gp, trajectory({ answer: item.answer, turns: [item.question], context: item.evidence }));
    pairs.push({ id: item.id, predicted: !out.pass, actual: item.label === 'hallucinated' });
  }
  report.graders.grounding = { run: true, ...agreement(pairs), misses: pairs.filter((p) => p.predicted !== p.actual).map((p) => `${p.id} (${p.actual ? 'missed hallucination' : 'false alarm'})`) };
  if (!deps.judge) report.graders.judge = { run: false, reason: 'not run: no JUDGE_MODEL configured' };
  else {
    const judgePairs: { id: string; predicted: boolean; actual: boolean }[] = [];
    const jp = graders.judge.params.parse({ rubric: 'Every claim in the answer is supported by the evidence.', criterion: 'faithfulness' });
    for (const item of items) {
      const out = await graders.judge.grade(jp, trajectory({ answer: item.answer, turns: [item.question], context: item.evidence }), deps);
      judgePairs.push({ id: item.id, predicted: !out.pass, actual: item.label === 'hallucinated' });
    }
    report.graders.judge = { run: true, ...agreement(judgePairs), misses: judgePairs.filter((p) => p.predicted !== p.actual).map((p) => p.id) };
  }
  return report;
}
