import { z } from 'zod';
import { integrityProblems, ReportKindSchema, StageRunSchema, type Report, type ReportKind, type StageRun } from '../evals/report/index.js';
import { getCheck } from './checks/index.js';
import { formatThreshold, formatValue } from './checks/metric.js';
import { CHECK_IDS, CheckIdSchema, VerdictSchema, type CheckOutcome, type Verdict } from './checks/types.js';
import type { CommitInfo, Evidence, EvidenceSet } from './evidence.js';
import type { LoadedPolicy } from './policy.js';
import { judgeRelative, type PastDecision } from './relative.js';

export const DECISION_SCHEMA_VERSION = 1;

/** Exit codes of `luminamind gate`: promote, block, and misconfigured or missing evidence. */
export const GATE_EXIT = { promote: 0, block: 1, inconclusive: 2 } as const;

/** Share of a check's weight each verdict earns toward the score (report.html shows the sum). */
export const CREDIT: Record<Verdict, number> = { pass: 1, warn: 0.75, fail: 0, inconclusive: 0 };

export const EvidenceStatusSchema = z.enum(['fresh', 'stale', 'missing', 'invalid', 'unaccepted']);

export const EvidenceRecordSchema = z.object({
  kind: ReportKindSchema,
  path: z.string(),
  sha256: z.string().nullable(),
  status: EvidenceStatusSchema,
  reasons: z.array(z.string()),
  runId: z.string().optional(),
  createdAt: z.string().optional(),
  gitSha: z.string().optional(),
  mode: z.string().optional(),
  model: z.string().optional(),
  /** How the stage that produced it ran, when the gate ran it. */
  stage: StageRunSchema.optional(),
  /** Made at an earlier commit from inputs that hash the same as this tree's, and accepted as if made here. */
  reused: z.object({ fromSha: z.string(), reason: z.string() }).optional(),
});
export type EvidenceRecord = z.infer<typeof EvidenceRecordSchema>;

export const CheckResultSchema = z.object({
  id: CheckIdSchema,
  title: z.string(),
  kind: ReportKindSchema,
  verdict: VerdictSchema,
  measured: z.number().nullable(),
  measuredText: z.string(),
  threshold: z.string().nullable(),
  baseline: z.number().nullable(),
  baselineText: z.string().nullable(),
  weight: z.number(),
  veto: z.boolean(),
  /** Reported only: never counted in the score, the vetoes or the warnings. */
  dryRun: z.boolean().default(false),
  evidence: z.string().nullable(),
  reason: z.string(),
  details: z.record(z.string(), z.unknown()).optional(),
});
export type CheckResult = z.infer<typeof CheckResultSchema>;

/**
 * One stage of this gate invocation: run (with its exit code, duration and limit), skipped because its evidence was
 * fresh (this commit) or reused (an earlier commit, same inputs), or not available.
 */
export const StageRecordSchema = z.object({
  kind: ReportKindSchema,
  status: z.enum(['ran', 'fresh', 'reused', 'unavailable']),
  /** The run this invocation made, or for fresh and reused evidence the run that made it (its duration is that run's). */
  run: StageRunSchema.optional(),
  /** Wall time this invocation spent on the stage: the run, or for reused evidence the guard and the hashing. */
  durationMs: z.number().min(0).optional(),
  /** sha256 of the stage's inputs in this tree (gates/inputs.ts). */
  inputs: z.string().optional(),
  reused: z.object({ fromSha: z.string(), reason: z.string() }).optional(),
  /** The stage's guard (tests that read what its inputs leave out), run because its evidence was reused; a failed guard cannot pass. */
  guard: StageRunSchema.optional(),
  /** Whether the report the stage left was written by this run (and so carries `run` in its envelope). */
  wroteReport: z.boolean().optional(),
  note: z.string().optional(),
});
export type StageRecord = z.infer<typeof StageRecordSchema>;

export const DecisionSchema = z.object({
  schemaVersion: z.literal(DECISION_SCHEMA_VERSION),
  createdAt: z.string(),
  commit: z.object({ sha: z.string(), time: z.string().nullable() }),
  policy: z.object({ name: z.string(), file: z.string(), sha256: z.string() }),
  verdict: VerdictSchema,
  promote: z.boolean(),
  exitCode: z.union([z.literal(0), z.literal(1), z.literal(2)]),
  score: z.number(),
  minScore: z.number(),
  reasons: z.array(z.string()),
  checks: z.array(CheckResultSchema),
  evidence: z.array(EvidenceRecordSchema),
  baselines: z.array(EvidenceRecordSchema),
  stages: z.array(StageRecordSchema).default([]),
  /** Whether `luminamind promote` needs a named human approver (the policy's `approval.required`). */
  approval: z.object({ required: z.boolean() }).default({ required: false }),
});
export type Decision = z.infer<typeof DecisionSchema>;

export interface DecideContext {
  commit: CommitInfo;
  /** Decision time (ISO); passed in so decide stays pure. */
  now: string;
  /** The stages this gate invocation ran or skipped (`luminamind gate` without --no-run). */
  stages?: readonly StageRecord[];
  /** sha256 of each stage's inputs in the tree being judged; evidence recording the same hash is reused across commits when the policy allows. */
  inputs?: Partial<Record<ReportKind, string>>;
  /** Earlier decisions (`--history DIR`), for the checks with a relative criterion. */
  history?: readonly PastDecision[];
}

/** A stage run that cannot vouch for its evidence: it exited non-zero, was killed, or hit its time limit. */
export function stageFailed(stage: StageRun | undefined): boolean {
  return stage !== undefined && (stage.timedOut || stage.exitCode !== 0);
}

export function describeStage(stage: StageRun): string {
  const took = `${(stage.durationMs / 1000).toFixed(1)} s`;
  const limit = `limit ${Math.round(stage.timeoutMs / 1000)} s`;
  if (stage.timedOut) return `stage "${stage.command}" timed out after ${took} (${limit})`;
  return `stage "${stage.command}" exited ${stage.exitCode ?? 'on a signal (no exit code)'} after ${took} (${limit})`;
}

/**
 * Judges whether a report can stand as evidence for this commit under this policy. `inputs` is the hash of the stage's
 * inputs in the tree being judged: evidence from an earlier commit that recorded the same hash is reused (when the
 * policy allows), and evidence of this commit that recorded another hash (the work tree changed since) is stale.
 */
export function assessEvidence(evidence: Evidence | undefined, kind: ReportKind, policy: LoadedPolicy, commit: CommitInfo, inputs?: string): EvidenceRecord & { report?: Report } {
  if (!evidence) return { kind, path: '(not given)', sha256: null, status: 'missing', reasons: [`no ${kind} report`] };
  const base = { kind, path: evidence.path, sha256: evidence.sha256 };
  if (evidence.status === 'missing') return { ...base, status: 'missing', reasons: [`no ${kind} report at ${evidence.path}`] };
  if (evidence.status === 'invalid' || !evidence.report) return { ...base, status: 'invalid', reasons: [evidence.error ?? 'invalid report'] };
  const r = evidence.report;
  const meta = { runId: r.runId, createdAt: r.createdAt, gitSha: r.git.sha, ...(r.mode ? { mode: r.mode } : {}), ...(r.model ? { model: r.model } : {}), ...(r.stage ? { stage: r.stage } : {}) };
  const broken = integrityProblems(r);
  if (broken.length) return { ...base, ...meta, status: 'invalid', reasons: broken };
  const stale: string[] = [];
  const recorded = r.stage?.inputs;
  const sameInputs = inputs !== undefined && recorded === inputs;
  const elsewhere: string[] = [];
  if (r.git.sha !== commit.sha) elsewhere.push(`made at commit ${r.git.sha.slice(0, 12)}, not ${commit.sha.slice(0, 12)}`);
  if (commit.time && Date.parse(r.createdAt) < Date.parse(commit.time)) elsewhere.push(`created ${r.createdAt}, before the commit (${commit.time})`);
  let reused: EvidenceRecord['reused'];
  if (elsewhere.length && sameInputs && policy.policy.evidence.reuse) reused = { fromSha: r.git.sha, reason: 'inputs unchanged' };
  else if (elsewhere.length) {
    stale.push(...elsewhere);
    if (sameInputs) stale.push(`its inputs are unchanged, but the ${policy.name} policy demands fresh evidence (evidence.reuse: false)`);
    else if (inputs !== undefined && recorded) stale.push(`its inputs changed (${recorded.slice(0, 12)} then, ${inputs.slice(0, 12)} now)`);
  } else if (inputs !== undefined && recorded && !sameInputs) stale.push(`its inputs changed since it was made at this commit (${recorded.slice(0, 12)} then, ${inputs.slice(0, 12)} now)`);
  if (r.git.dirty && !policy.policy.evidence.allowDirty) stale.push(`made from a dirty work tree, which the ${policy.name} policy forbids`);
  if (stale.length) return { ...base, ...meta, status: 'stale', reasons: stale, report: r };
  if (reused) Object.assign(meta, { reused });
  if (r.kind === 'eval' && !policy.policy.evidence.evalModes.includes(r.mode))
    return { ...base, ...meta, status: 'unaccepted', reasons: [`eval mode ${r.mode}; the ${policy.name} policy accepts ${policy.policy.evidence.evalModes.join(', ')}`], report: r };
  return { ...base, ...meta, status: 'fresh', reasons: [], report: r };
}

function assessBaseline(evidence: Evidence | undefined, kind: ReportKind): EvidenceRecord & { report?: Report } {
  if (!evidence || evidence.status === 'missing') return { kind, path: evidence?.path ?? '(not given)', sha256: null, status: 'missing', reasons: [] };
  if (evidence.status === 'invalid' || !evidence.report) return { kind, path: evidence.path, sha256: evidence.sha256, status: 'invalid', reasons: [evidence.error ?? 'invalid report'] };
  const r = evidence.report;
  return { kind, path: evidence.path, sha256: evidence.sha256, status: 'fresh', reasons: [], runId: r.runId, createdAt: r.createdAt, gitSha: r.git.sha, report: r };
}

const strip = <T extends { report?: Report }>({ report: _r, ...rest }: T): Omit<T, 'report'> => rest;

/**
 * The promotion decision: every check of the policy over fresh evidence, then one verdict.
 * Pure: the same reports, baselines, policy and context give the same decision.
 *
 * Overall: a veto check that fails → fail (exit 1); else a veto check without fresh evidence or
 * otherwise inconclusive → inconclusive (exit 2); else evidence that is given but broken (stale, invalid,
 * unaccepted) or a failed stage its report does not explain → inconclusive (exit 2); else weighted score <
 * minScore → fail (exit 1); else any warn, non-veto fail or inconclusive (absent evidence) → warn (exit 0); else pass.
 *
 * @example
 *   const decision = decide(await loadEvidence('reports'), await loadEvidence('baselines'), await loadPolicy('pr'), { commit, now });
 */
export function decide(reports: EvidenceSet, baselines: EvidenceSet, policy: LoadedPolicy, context: DecideContext): Decision {
  const evidence = Object.fromEntries(ReportKindSchema.options.map((k) => [k, assessEvidence(reports[k], k, policy, context.commit, context.inputs?.[k])])) as Record<ReportKind, ReturnType<typeof assessEvidence>>;
  const base = Object.fromEntries(ReportKindSchema.options.map((k) => [k, assessBaseline(baselines[k], k)])) as Record<ReportKind, ReturnType<typeof assessBaseline>>;
  const used = new Set<ReportKind>();
  // How the stage behind a kind's evidence ran: a guard that failed on reused evidence, else stamped in its envelope,
  // or as this gate invocation saw it.
  const stageOf = (k: ReportKind) => {
    const record = context.stages?.find((st) => st.kind === k);
    if (stageFailed(record?.guard)) return record!.guard;
    return evidence[k].report?.stage ?? (record?.status === 'ran' ? record.run : undefined);
  };

  const checks: CheckResult[] = CHECK_IDS.flatMap((id) => {
    const config = policy.policy.checks[id];
    if (!config) return [];
    const check = getCheck(id);
    used.add(check.kind);
    const ev = evidence[check.kind];
    let outcome: CheckOutcome;
    if (ev.status !== 'fresh' || !ev.report) {
      outcome = { verdict: 'inconclusive', measured: null, reason: `${ev.status} evidence: ${ev.reasons.join('; ')}` };
    } else {
      try {
        const params = check.paramsSchema.parse(config.params);
        outcome = check.evaluate({ report: ev.report, ...(base[check.kind].report ? { baseline: base[check.kind].report } : {}), config, params });
      } catch (err) {
        // A check that crashes judged nothing; it must never read as a pass.
        outcome = { verdict: 'inconclusive', measured: null, reason: `check failed to evaluate: ${err instanceof Error ? err.message : String(err)}` };
      }
    }
    // The exit code of the stage that wrote the evidence is evidence too: a failed stage can never make a check pass.
    const stage = stageOf(check.kind);
    if (stageFailed(stage) && (outcome.verdict === 'pass' || outcome.verdict === 'warn'))
      outcome = { ...outcome, verdict: 'inconclusive', reason: `${describeStage(stage!)}, so its evidence cannot pass this check (it measured: ${outcome.reason})` };
    outcome = judgeRelative({ checkId: id, outcome, config, unit: check.unit, history: context.history ?? [], policy: policy.name, commit: context.commit.sha }) ?? outcome;
    // Each check says when it judged evidence made at an earlier commit.
    if (ev.reused) outcome = { ...outcome, reason: `${outcome.reason} (reused from ${ev.reused.fromSha.slice(0, 7)}: ${ev.reused.reason})` };
    const baselineValue = outcome.baselineValue ?? null;
    return [
      {
        id,
        title: check.title,
        kind: check.kind,
        verdict: outcome.verdict,
        measured: outcome.measured,
        measuredText: formatValue(outcome.measured, check.unit),
        threshold: formatThreshold(config.threshold, check.unit) ?? (id === 'eval-baseline' ? `no significant regression (α=${String(config.params.alpha ?? 0.05)})` : id === 'load-baseline' ? 'no slowdown both significant and above the load floors' : null),
        baseline: baselineValue,
        baselineText: baselineValue === null ? null : formatValue(baselineValue, check.unit),
        weight: config.weight,
        veto: config.veto,
        dryRun: config.dryRun,
        evidence: ev.status === 'missing' ? null : ev.path,
        reason: outcome.reason,
        ...(outcome.details ? { details: outcome.details } : {}),
      },
    ];
  });

  // Dry-run checks are measured and shown, and decide nothing: not the score, not a veto, not a warning.
  const deciding = checks.filter((c) => !c.dryRun);
  const decidingKinds = new Set(deciding.map((c) => c.kind));
  const totalWeight = deciding.reduce((s, c) => s + c.weight, 0);
  const score = totalWeight ? deciding.reduce((s, c) => s + c.weight * CREDIT[c.verdict], 0) / totalWeight : 0;
  const vetoFails = deciding.filter((c) => c.veto && c.verdict === 'fail');
  const vetoUnknown = deciding.filter((c) => c.veto && c.verdict === 'inconclusive');
  const soft = deciding.filter((c) => c.verdict === 'warn' || (!c.veto && c.verdict !== 'pass'));
  // Evidence that was given but is broken (unreadable, inconsistent, from another commit or tree, of an unaccepted mode)
  // never promotes, whatever the check's weight: only absent evidence of a non-veto check may pass as a warning.
  const broken = ReportKindSchema.options.filter((k) => decidingKinds.has(k) && ['stale', 'invalid', 'unaccepted'].includes(evidence[k].status));
  // A stage that failed while every check of its kind still passes: its exit code says something its report does not.
  const unexplained = ReportKindSchema.options.filter((k) => {
    return decidingKinds.has(k) && stageFailed(stageOf(k)) && !deciding.some((c) => c.kind === k && c.verdict === 'fail');
  });
  const reasons: string[] = [];
  let verdict: Verdict;
  if (vetoFails.length) {
    verdict = 'fail';
    reasons.push(`veto check(s) failed: ${vetoFails.map((c) => c.id).join(', ')}`);
  } else if (vetoUnknown.length) {
    verdict = 'inconclusive';
    reasons.push(`veto check(s) without usable evidence: ${vetoUnknown.map((c) => c.id).join(', ')}`);
  } else if (broken.length || unexplained.length) {
    verdict = 'inconclusive';
    for (const k of broken) reasons.push(`${evidence[k].status} ${k} evidence cannot promote: ${evidence[k].reasons.join('; ')}`);
    for (const k of unexplained) reasons.push(`the ${k} stage failed though its report shows nothing failing: ${describeStage(stageOf(k)!)}`);
  } else if (score < policy.policy.minScore) {
    verdict = 'fail';
    reasons.push(`score ${score.toFixed(3)} is below the policy's minimum ${policy.policy.minScore}`);
  } else if (soft.length) {
    verdict = 'warn';
    reasons.push(`promotable with warnings: ${soft.map((c) => `${c.id} (${c.verdict})`).join(', ')}`);
  } else {
    verdict = 'pass';
    reasons.push('every check passed');
  }
  const dryRuns = checks.filter((c) => c.dryRun);
  if (dryRuns.length) reasons.push(`dry run, not deciding: ${dryRuns.map((c) => `${c.id} (${c.verdict})`).join(', ')}`);
  const exitCode = verdict === 'fail' ? GATE_EXIT.block : verdict === 'inconclusive' ? GATE_EXIT.inconclusive : GATE_EXIT.promote;
  return {
    schemaVersion: DECISION_SCHEMA_VERSION,
    createdAt: context.now,
    commit: context.commit,
    policy: { name: policy.name, file: policy.file, sha256: policy.sha256 },
    verdict,
    promote: exitCode === GATE_EXIT.promote,
    exitCode,
    score: Math.round(score * 1000) / 1000,
    minScore: policy.policy.minScore,
    reasons,
    checks,
    evidence: ReportKindSchema.options.filter((k) => used.has(k)).map((k) => strip(evidence[k])),
    baselines: ReportKindSchema.options.filter((k) => used.has(k) && base[k].status !== 'missing').map((k) => strip(base[k])),
    stages: [...(context.stages ?? [])],
    approval: policy.policy.approval ?? { required: false },
  };
}
