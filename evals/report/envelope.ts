import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { z } from 'zod';
import { ReportInvalidError, ReportUnreadableError } from './errors.js';

/**
 * The report envelope: every eval, load, chaos, coverage and security run writes one
 * `reports/<kind>/report.json` of this shape, and the gate reads nothing else. A breaking change bumps
 * SCHEMA_VERSION and keeps a reader test on an old fixture (evals/report/fixtures/).
 *
 * Keep every report mergeable (`luminamind report merge`): a summary holds nothing that cannot be
 * recomputed from its results.
 */
export const SCHEMA_VERSION = 1;

export const ReportKindSchema = z.enum(['eval', 'load', 'chaos', 'coverage', 'security']);
export type ReportKind = z.infer<typeof ReportKindSchema>;

/** What a pass means depends on the mode: live = the agent's real quality, replay = reproduces a recorded run, simulated = tools, graph and graders work; the release policy demands `live`. */
export const EvalModeSchema = z.enum(['live', 'replay', 'simulated']);
export type EvalMode = z.infer<typeof EvalModeSchema>;

export const GitInfoSchema = z.strictObject({
  /** Full commit sha of HEAD when the run started, or "unknown" outside a git work tree. */
  sha: z.string().min(1),
  /** True when the work tree had uncommitted changes: the evidence may not match the commit. */
  dirty: z.boolean(),
});
export type GitInfo = z.infer<typeof GitInfoSchema>;

const rate = z.number().min(0).max(1);
const nonNegative = z.number().min(0);
const count = z.number().int().min(0);

/** A two-sided confidence interval of a proportion (Wilson score for pass rates). */
export const IntervalSchema = z.strictObject({ lower: rate, upper: rate, level: z.number().gt(0).lt(1).default(0.95) });
export type Interval = z.infer<typeof IntervalSchema>;

/** Why the harness (not the agent) failed a run: a timeout, a grader crash, a simulator without cassette. */
export const HarnessErrorSchema = z.strictObject({ code: z.string().min(1).optional(), message: z.string().min(1) });

/**
 * How the stage that produced a report ran, stamped by the gate when it runs the stage: a stage that exited
 * non-zero, was killed or timed out can never make its checks pass.
 */
export const StageRunSchema = z.strictObject({
  /** What ran, e.g. "npm run test:coverage". */
  command: z.string().min(1),
  /** Null when the process was killed by a signal or could not start. */
  exitCode: z.number().int().nullable(),
  timedOut: z.boolean(),
  durationMs: nonNegative,
  timeoutMs: nonNegative,
  /** sha256 of everything the stage's result can depend on (gates/inputs.ts): evidence of equal inputs is reused at a later commit. */
  inputs: z.string().regex(/^[0-9a-f]{64}$/).optional(),
});
export type StageRun = z.infer<typeof StageRunSchema>;

const headerShape = {
  schemaVersion: z.literal(SCHEMA_VERSION),
  runId: z.string().min(1),
  createdAt: z.iso.datetime({ offset: true }),
  git: GitInfoSchema,
  mode: EvalModeSchema.optional(),
  /** The model under test (eval) or behind the service (load, chaos), e.g. "gpt-4o-mini" or "sim". */
  model: z.string().min(1).optional(),
  /** The run's effective configuration, secrets redacted, so a report says what produced it. */
  config: z.record(z.string(), z.unknown()),
  stage: StageRunSchema.optional(),
};


/** Model usage of the judges (kept apart from the agent's own tokens and cost). */
export const JudgeUsageSchema = z.strictObject({ calls: count, input: count, output: count, costUsd: nonNegative });
export type JudgeUsage = z.infer<typeof JudgeUsageSchema>;

export const GraderResultSchema = z.strictObject({
  id: z.string().min(1),
  pass: z.boolean(),
  score: rate,
  reason: z.string(),
  /** Not run (e.g. the judge without JUDGE_MODEL): `pass` is false but the result counts neither way. */
  skipped: z.boolean().optional(),
  /** Judge graders: how the verdict was reached, so it can be reproduced and trusted. */
  judge: z
    .strictObject({
      models: z.array(z.string().min(1)).min(1),
      temperature: z.number().min(0),
      seed: z.number().int(),
      /** One verdict per judge model, in order; the grader's verdict is their majority. */
      votes: z.array(z.strictObject({ model: z.string().min(1), pass: z.boolean(), score: rate, reason: z.string() })),
      /** Share of judges that agree with the majority (1 = unanimous). */
      agreement: rate,
      usage: JudgeUsageSchema.optional(),
    })
    .optional(),
});
export type GraderResult = z.infer<typeof GraderResultSchema>;

export const ToolCallRecordSchema = z.strictObject({
  name: z.string().min(1),
  /** False when the tool returned an error result (`{"error": true}`) or threw. */
  ok: z.boolean(),
  /** The case exists to exercise this tool's error path: a failed call is the expected outcome, not a tool failure. */
  expectedError: z.boolean().optional(),
  latencyMs: nonNegative.optional(),
});
export type ToolCallRecord = z.infer<typeof ToolCallRecordSchema>;

export const TokenUsageSchema = z.strictObject({ input: count, output: count });
export type TokenUsage = z.infer<typeof TokenUsageSchema>;

export const EvalResultSchema = z.strictObject({
  caseId: z.string().min(1),
  category: z.string().min(1),
  /** `gold` and `faulty:<name>` are authored scripts (simulated mode); `live` is a real model (live, replay). */
  variant: z.string().regex(/^(gold|live|faulty:[\w.-]+)$/, 'variant must be gold, live or faulty:<name>'),
  repeat: count,
  pass: z.boolean(),
  score: rate,
  graders: z.array(GraderResultSchema),
  /** True when a hallucination grader flagged the answer (unsupported claims, invented figures). */
  hallucinated: z.boolean().optional(),
  latencyMs: nonNegative,
  tokens: TokenUsageSchema,
  costUsd: nonNegative,
  toolCalls: z.array(ToolCallRecordSchema),
  /** Model calls the agent made (main agent and subagents). */
  modelCalls: count.optional(),
  /** The judges' model usage for this result, never added to the agent's tokens or cost. */
  judgeUsage: JudgeUsageSchema.optional(),
  /** Why the agent failed when it is not a grader's verdict on the answer: `budget` (a limit of the case was crossed; the run was stopped). */
  failure: z.strictObject({ kind: z.enum(['budget']), reason: z.string() }).optional(),
  /** Set only when the harness failed (the agent was never judged); such a result never counts as a pass. */
  error: HarnessErrorSchema.optional(),
});
export type EvalResult = z.infer<typeof EvalResultSchema>;

export const EvalSummarySchema = z.strictObject({
  /** Results (case × variant × repeat) in this report, including harness errors. */
  runs: count,
  cases: count,
  passRate: rate,
  passRateCi: IntervalSchema,
  hallucinationRate: rate,
  toolSuccessRate: rate,
  /** pass^k: share of (case, variant) groups whose k repeats all passed. */
  passK: z.strictObject({
    k: z.number().int().min(1),
    rate,
    /** The worst (case, variant) group's pass^k: one flaky case cannot hide behind a good mean. */
    floor: rate.optional(),
    floorCase: z.string().optional(),
  }),
  /** Simulated mode: gold runs passed / gold runs. Null when no gold variant ran. */
  specificity: rate.nullable().optional(),
  /** Simulated mode: faulty runs caught (failed) / faulty runs. Null when no faulty variant ran. */
  sensitivity: rate.nullable().optional(),
  /** Results with `error` / runs: the harness's own error budget, kept apart from agent quality. */
  harnessErrorRate: rate,
  costUsd: nonNegative.optional(),
  latencyP50Ms: nonNegative.optional(),
  latencyP95Ms: nonNegative.optional(),
  latencyP99Ms: nonNegative.optional(),
  tokens: TokenUsageSchema.optional(),
  /** (case, variant) groups whose repeats went both as expected and not: flaky verdicts (with --repeat). */
  flaky: z.array(z.string()).optional(),
  /** Per (case, variant) group: runs, runs that went as expected (gold/live passed, faulty caught) and their rate. */
  perCase: z.record(z.string(), z.strictObject({ runs: count, passed: count, passRate: rate })).optional(),
  /** Gold or live runs that failed by crossing their case's budget (stopped, kind `budget`). */
  overBudget: count.optional(),
  /** The judges' model usage over the run, apart from the agent's `tokens` and `costUsd`. */
  judgeUsage: JudgeUsageSchema.optional(),
  /** Per category: runs, passes and pass rate (errors count as runs that did not pass). */
  perCategory: z.record(z.string(), z.strictObject({ runs: count, passed: count, passRate: rate })).optional(),
  /** Per grader: runs where it was applied (not skipped); in simulated mode its own specificity and sensitivity. */
  perGrader: z
    .record(
      z.string(),
      z.strictObject({ runs: count, passed: count, skipped: count, specificity: rate.nullable().optional(), sensitivity: rate.nullable().optional() }),
    )
    .optional(),
});
export type EvalSummary = z.infer<typeof EvalSummarySchema>;

export const EvalReportSchema = z.strictObject({
  ...headerShape,
  kind: z.literal('eval'),
  mode: EvalModeSchema,
  model: z.string().min(1),
  /** The resultId (`caseId variant#repeat`) of every result the run set out to produce: a missing case shows. */
  plan: z.array(z.string().min(1)).optional(),
  summary: EvalSummarySchema,
  results: z.array(EvalResultSchema),
});
export type EvalReport = z.infer<typeof EvalReportSchema>;


/** The load tool's own noise-aware comparison against its baseline; the gate reads its verdict as is. */
export const LoadComparisonSchema = z.strictObject({
  baseline: z.string().min(1),
  verdict: z.enum(['same', 'improved', 'regressed', 'inconclusive']),
  pValue: z.number().min(0).max(1).optional(),
  /** The largest relative change of a compared percentile (+0.07 = 7 % slower): what the verdict speaks of. */
  maxRelativeChange: z.number().optional(),
  reason: z.string().optional(),
  /** `stored-baseline` (the runs vs load/baselines/<profile>.json) or `paired` (`--against REF`: REF served beside the candidate, each pair's two blocks at the same time). */
  method: z.enum(['stored-baseline', 'paired']).optional(),
  /** Paired only: the commit compared with, how it was chosen, and whether it is the candidate's own code (A/A). */
  against: z.strictObject({ ref: z.string().min(1), sha: z.string().min(1), chosen: z.string().min(1), selfComparison: z.boolean() }).optional(),
  /** Paired only: block pairs judged. */
  pairs: count.optional(),
  /** Paired only: the median per-pair change of the service's CPU time per request (from the OS). */
  cpuRelativeChange: z.number().optional(),
});
export type LoadComparison = z.infer<typeof LoadComparisonSchema>;

export const LoadResultSchema = z.strictObject({
  scenario: z.string().min(1),
  run: count,
  /** `i/n` when the run was the i-th of n shards sent side by side (`luminamind load --shard`); merge combines them per run. */
  shard: z.string().regex(/^\d+\/\d+$/, 'shard must be i/n').optional(),
  durationSeconds: nonNegative,
  connections: count.optional(),
  requests: count,
  errors: count,
  rps: nonNegative,
  p50Ms: nonNegative,
  p90Ms: nonNegative.optional(),
  p95Ms: nonNegative,
  p99Ms: nonNegative,
  maxMs: nonNegative.optional(),
  p97_5Ms: nonNegative.optional(),
  /** The fixed request rate the run was driven at (open schedule: coordinated omission corrected). */
  targetRate: nonNegative.optional(),
  sentRate: nonNegative.optional(),
  timeouts: count.optional(),
  non2xx: count.optional(),
  /** The service's own resources during the run. */
  rssBytesMax: nonNegative.optional(),
  eventLoopDelayP99Ms: nonNegative.optional(),
  eventLoopDelayMaxMs: nonNegative.optional(),
  /** Simulated model time per request (L) and measured / (C / L), C the mean requests in flight. */
  modelMsPerRequest: nonNegative.optional(),
  efficiency: nonNegative.optional(),
});
export type LoadResult = z.infer<typeof LoadResultSchema>;

export const LoadSummarySchema = z.strictObject({
  runs: count,
  rps: nonNegative,
  p50Ms: nonNegative,
  p95Ms: nonNegative,
  p99Ms: nonNegative,
  errorRate: rate,
  /** Throughput per unit of resource as defined by load/ (e.g. rps per CPU core); higher is better. */
  efficiency: nonNegative.optional(),
  comparison: LoadComparisonSchema.optional(),
});
export type LoadSummary = z.infer<typeof LoadSummarySchema>;

export const LoadReportSchema = z.strictObject({
  ...headerShape,
  kind: z.literal('load'),
  summary: LoadSummarySchema,
  results: z.array(LoadResultSchema),
});
export type LoadReport = z.infer<typeof LoadReportSchema>;


/** The steady-state probe in one phase of a drill; metrics beyond these are kept as measured. */
export const SteadyStateSchema = z
  .object({
    held: z.boolean(),
    errorRate: rate.optional(),
    p95Ms: nonNegative.optional(),
    requests: count.optional(),
    detail: z.string().optional(),
  })
  .loose();
export type SteadyState = z.infer<typeof SteadyStateSchema>;

export const ChaosEventSchema = z.strictObject({
  /** Seconds since the drill started. */
  t: nonNegative,
  event: z.string().min(1),
  ok: z.boolean().optional(),
});

export const ChaosResultSchema = z.strictObject({
  drill: z.string().min(1),
  verdict: z.enum(['pass', 'fail']),
  before: SteadyStateSchema,
  during: SteadyStateSchema,
  after: SteadyStateSchema,
  /** Seconds from the fault's end to steady state; null when it never recovered. */
  recoverySeconds: nonNegative.nullable(),
  deadlineSeconds: nonNegative.optional(),
  timeline: z.array(ChaosEventSchema).optional(),
  error: HarnessErrorSchema.optional(),
});
export type ChaosResult = z.infer<typeof ChaosResultSchema>;

export const ChaosSummarySchema = z.strictObject({ drills: count, passed: count, failed: count });
export type ChaosSummary = z.infer<typeof ChaosSummarySchema>;

export const ChaosReportSchema = z.strictObject({
  ...headerShape,
  kind: z.literal('chaos'),
  summary: ChaosSummarySchema,
  results: z.array(ChaosResultSchema),
});
export type ChaosReport = z.infer<typeof ChaosReportSchema>;


export const CoverageMetricSchema = z.strictObject({ total: count, covered: count, pct: z.number().min(0).max(100) });
export type CoverageMetric = z.infer<typeof CoverageMetricSchema>;

const coverageMetrics = {
  lines: CoverageMetricSchema,
  branches: CoverageMetricSchema,
  functions: CoverageMetricSchema,
  statements: CoverageMetricSchema,
};

export const CoverageSummarySchema = z.strictObject({
  ...coverageMetrics,
  /** The outcome of the test run that measured the coverage; a failing suite blocks whatever the coverage. */
  tests: z
    .strictObject({
      passed: count,
      failed: count,
      skipped: count,
      /** Test files that failed as a whole: a file that cannot load has no failed test, only a failed file. */
      failedFiles: count.optional(),
      files: count.optional(),
      /** The runner's own overall outcome. */
      success: z.boolean().optional(),
    })
    .optional(),
});
export type CoverageSummary = z.infer<typeof CoverageSummarySchema>;

export const CoverageResultSchema = z.strictObject({ file: z.string().min(1), ...coverageMetrics });
export type CoverageResult = z.infer<typeof CoverageResultSchema>;

export const CoverageReportSchema = z.strictObject({
  ...headerShape,
  kind: z.literal('coverage'),
  summary: CoverageSummarySchema,
  results: z.array(CoverageResultSchema),
});
export type CoverageReport = z.infer<typeof CoverageReportSchema>;


export const SeveritySchema = z.enum(['critical', 'high', 'medium', 'low', 'info']);
export type Severity = z.infer<typeof SeveritySchema>;

export const SecurityFindingSchema = z.strictObject({
  /** The scanner check that produced it, e.g. "eslint", "ast-grep", "secrets", "audit", "attack-corpus". */
  check: z.string().min(1),
  rule: z.string().min(1),
  file: z.string().min(1),
  line: z.number().int().min(0),
  severity: SeveritySchema,
  message: z.string(),
});
export type SecurityFinding = z.infer<typeof SecurityFindingSchema>;

/**
 * One scanner check; `inconclusive` when it could not run (e.g. the advisory endpoint is unreachable),
 * `skipped` when its tool is not installed here (semgrep outside CI): neither is ever a pass.
 */
export const SecurityCheckSchema = z.strictObject({
  id: z.string().min(1),
  status: z.enum(['pass', 'fail', 'inconclusive', 'skipped']),
  detail: z.string().optional(),
});
export type SecurityCheck = z.infer<typeof SecurityCheckSchema>;

export const SecuritySummarySchema = z.strictObject({
  findings: z.strictObject({ critical: count, high: count, medium: count, low: count, info: count }),
  checks: z.array(SecurityCheckSchema),
});
export type SecuritySummary = z.infer<typeof SecuritySummarySchema>;

export const SecurityReportSchema = z.strictObject({
  ...headerShape,
  kind: z.literal('security'),
  summary: SecuritySummarySchema,
  results: z.array(SecurityFindingSchema),
});
export type SecurityReport = z.infer<typeof SecurityReportSchema>;


export const ReportSchema = z.discriminatedUnion('kind', [
  EvalReportSchema,
  LoadReportSchema,
  ChaosReportSchema,
  CoverageReportSchema,
  SecurityReportSchema,
]);
export type Report = z.infer<typeof ReportSchema>;
/** The report of one kind, e.g. `ReportOf<'load'>` is `LoadReport`. */
export type ReportOf<K extends ReportKind> = Extract<Report, { kind: K }>;

const schemaByKind = {
  eval: EvalReportSchema,
  load: LoadReportSchema,
  chaos: ChaosReportSchema,
  coverage: CoverageReportSchema,
  security: SecurityReportSchema,
} satisfies Record<ReportKind, z.ZodType>;

/** What a producer supplies to writeReport; the header fields it omits are filled in. */
export type ReportDraft<K extends ReportKind> = Omit<ReportOf<K>, 'schemaVersion' | 'kind' | 'runId' | 'createdAt' | 'git'> &
  Partial<Pick<ReportOf<K>, 'runId' | 'createdAt' | 'git'>>;

/** The JSON Schema of the envelope (draft 2020-12), generated from ReportSchema; docs/report-envelope.schema.json holds a copy. */
export function envelopeJsonSchema(): Record<string, unknown> {
  const { $schema, ...rest } = z.toJSONSchema(ReportSchema, { io: 'input', target: 'draft-2020-12' });
  return { $schema, $id: 'urn:luminamind:report-envelope', title: `LuminaMind report envelope v${SCHEMA_VERSION}`, ...rest };
}

/** Where a run of this kind writes by default: `reports/<kind>/report.json` under `root`. */
export function defaultReportPath(kind: ReportKind, root = 'reports'): string {
  return join(root, kind, 'report.json');
}

const execFileAsync = promisify(execFile);

/**
 * The commit a run's evidence belongs to. Outside a git work tree it answers `{sha: "unknown", dirty: true}`,
 * which the gate treats as stale evidence, never as a match.
 *
 * @example
 *   const git = await gitInfo(); // { sha: 'e637b0a…', dirty: false }
 */
export async function gitInfo(cwd = process.cwd()): Promise<GitInfo> {
  try {
    const [{ stdout: sha }, { stdout: status }] = await Promise.all([
      execFileAsync('git', ['rev-parse', 'HEAD'], { cwd }),
      // Untracked report files must not make every run "dirty", hence -uno plus reports/ being ignored.
      execFileAsync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd }),
    ]);
    return { sha: sha.trim(), dirty: status.trim().length > 0 };
  } catch {
    return { sha: 'unknown', dirty: true };
  }
}

function describeIssues(error: z.ZodError): string {
  return error.issues.map((i) => `  - ${i.path.join('.') || '(root)'}: ${i.message}`).join('\n');
}

/**
 * Validates a report of the given kind, throwing EVL_ERR_REPORT_INVALID with every problem listed.
 *
 * @example
 *   const report = parseReport(JSON.parse(text), 'reports/eval/report.json');
 */
export function parseReport(value: unknown, source = '(in memory)'): Report {
  const parsed = ReportSchema.safeParse(value);
  if (!parsed.success) throw new ReportInvalidError(source, describeIssues(parsed.error));
  return parsed.data;
}

/**
 * Fills in the header (schemaVersion, kind, runId, createdAt, git), validates, and writes the report
 * atomically (temp file + rename) to `out` or `reports/<kind>/report.json`. Returns the path and report.
 *
 * @example
 *   await writeReport('load', { config: { connections: 50 }, summary, results });
 */
export async function writeReport<K extends ReportKind>(
  kind: K,
  draft: ReportDraft<K>,
  out: string = defaultReportPath(kind),
): Promise<{ path: string; report: ReportOf<K> }> {
  const candidate = {
    ...draft,
    schemaVersion: SCHEMA_VERSION,
    kind,
    runId: draft.runId ?? randomUUID(),
    createdAt: draft.createdAt ?? new Date().toISOString(),
    git: draft.git ?? (await gitInfo()),
  };
  const parsed = schemaByKind[kind].safeParse(candidate);
  if (!parsed.success) throw new ReportInvalidError(out, describeIssues(parsed.error));
  const report = parsed.data as ReportOf<K>;
  await mkdir(dirname(out), { recursive: true });
  const tmp = `${out}.${process.pid}.tmp`;
  await writeFile(tmp, `${JSON.stringify(report, null, 2)}\n`);
  await rename(tmp, out);
  return { path: out, report };
}

/**
 * Reads and validates a report file. With `kind`, also insists on that kind.
 * Throws EVL_ERR_REPORT_UNREADABLE (missing file, bad JSON) or EVL_ERR_REPORT_INVALID (schema).
 *
 * @example
 *   const evalReport = await readReport('reports/eval/report.json', 'eval');
 */
export async function readReport<K extends ReportKind>(path: string, kind: K): Promise<ReportOf<K>>;
export async function readReport(path: string): Promise<Report>;
export async function readReport(path: string, kind?: ReportKind): Promise<Report> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new ReportUnreadableError(path, err instanceof Error ? err.message : String(err));
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new ReportUnreadableError(path, `not JSON (${err instanceof Error ? err.message : String(err)})`);
  }
  const report = parseReport(value, path);
  if (kind && report.kind !== kind) throw new ReportInvalidError(path, `  - kind: expected "${kind}", got "${report.kind}"`);
  return report;
}
