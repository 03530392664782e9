import { randomUUID } from 'node:crypto';
import { summariseChaos } from './chaos.js';
import { readReport, writeReport, type ChaosResult, type EvalReport, type EvalResult, type LoadReport, type LoadResult, type Report, type ReportKind, type ReportOf } from './envelope.js';
import { ReportMergeRefusedError } from './errors.js';
import { summariseEval } from './eval.js';
import { resultId } from './identity.js';
import { compareWithBaseline, DEFAULT_COMPARE_POLICY, loadResultId, readBaseline, summariseLoad, type Baseline, type ComparePolicy } from './load.js';

/** Kinds whose results are disjoint slices of one run; coverage and security are whole-tree by nature. */
export const MERGEABLE_KINDS = ['eval', 'load', 'chaos'] as const satisfies readonly ReportKind[];
export type MergeableKind = (typeof MERGEABLE_KINDS)[number];

/**
 * Config keys that define what a run measured, per kind: inputs that differ on any of them are not slices of
 * one run. Keys left out (concurrency, shard, wallSeconds, journalDir…) may differ and are kept per input.
 */
export const MUST_MATCH: Record<MergeableKind, readonly string[]> = {
  eval: ['engine', 'target', 'dataset', 'filter', 'repeat', 'agent'],
  // profile without rate and maxConnections: each shard offers rate/n over maxConnections/n.
  load: ['profile', 'target', 'redis', 'comparePolicy'],
  chaos: ['rate'],
};

/** Config keys merge itself writes; an input that is already a merge must not make them "differ". */
const MERGE_KEYS = new Set(['mergedFrom', 'varied', 'shards']);

export interface MergeInput {
  /** Where the report came from, for messages. */
  source: string;
  report: Report;
}

export interface MergeOptions {
  /** Insist on this kind. */
  kind?: ReportKind;
  now?: Date;
  /** Reads a load baseline (tests inject one); defaults to the file named in the inputs' comparison. */
  readLoadBaseline?: (path: string) => Promise<Baseline | undefined>;
}

/** JSON with sorted keys, so config equality does not depend on key order. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b))) : v,
  ) ?? 'undefined';
}

function refuse(reason: string): never {
  throw new ReportMergeRefusedError(reason);
}

function requireSame(inputs: readonly MergeInput[], what: string, get: (r: Report) => unknown): void {
  const first = canonical(get(inputs[0]!.report));
  const other = inputs.find((i) => canonical(get(i.report)) !== first);
  if (other) refuse(`${what} differs: ${inputs[0]!.source} has ${first}, ${other.source} has ${canonical(get(other.report))}`);
}

function mustMatchValue(kind: MergeableKind, key: string, config: Record<string, unknown>): unknown {
  const value = config[key];
  if (kind === 'load' && key === 'profile' && value && typeof value === 'object') {
    const { rate: _rate, connections: _connections, maxConnections: _maxConnections, ...rest } = value as Record<string, unknown>;
    return rest;
  }
  return value;
}

function refuseOverlap(inputs: readonly MergeInput[], keysOf: (r: Report) => string[], what: string): void {
  const seen = new Map<string, string>();
  for (const { source, report } of inputs)
    for (const key of keysOf(report)) {
      const prior = seen.get(key);
      if (prior !== undefined) refuse(`overlapping results: ${what} ${key} is in both ${prior} and ${source}`);
      seen.set(key, source);
    }
}

/** Keys every input agrees on are kept; the rest go to `varied` (one value per input, in input order). */
function mergeConfig(inputs: readonly MergeInput[]): Record<string, unknown> {
  const configs = inputs.map((i) => i.report.config);
  const keys = [...new Set(configs.flatMap((c) => Object.keys(c)))].filter((k) => !MERGE_KEYS.has(k));
  const merged: Record<string, unknown> = {};
  const varied: Record<string, unknown[]> = {};
  for (const key of keys) {
    const values = configs.map((c) => c[key]);
    if (values.every((v) => canonical(v) === canonical(values[0]))) merged[key] = values[0];
    else varied[key] = values.map((v) => v ?? null);
  }
  return {
    ...merged,
    ...(Object.keys(varied).length ? { varied } : {}),
    mergedFrom: inputs.map((i) => i.report.runId),
    shards: inputs.flatMap((i) => {
      const c = i.report.config;
      return Array.isArray(c.shards) ? (c.shards as unknown[]) : [c.shard ?? null];
    }),
  };
}

type Body<K extends MergeableKind> = Pick<ReportOf<K>, 'summary' | 'results'> & (K extends 'eval' ? { plan?: string[] } : unknown);

/** How each mergeable kind merges: the identity of a result (no two inputs may share one) and the summary recomputed. */
interface Merger<K extends MergeableKind> {
  identity: (result: ReportOf<K>['results'][number]) => string;
  what: string;
  merge: (inputs: readonly MergeInput[], config: Record<string, unknown>, options: MergeOptions) => Body<K> | Promise<Body<K>>;
}

const results = <R>(inputs: readonly MergeInput[]): R[] => inputs.flatMap((i) => (i.report as unknown as { results: R[] }).results);

const MERGERS: { [K in MergeableKind]: Merger<K> } = {
  eval: {
    identity: resultId,
    what: 'case × variant × repeat',
    merge: (inputs) => {
      requireSame(inputs, 'pass^k (summary.passK.k)', (r) => (r as EvalReport).summary.passK.k);
      const all = results<EvalResult>(inputs);
      const plans = inputs.map((i) => (i.report as EvalReport).plan);
      // A plan is kept only when every shard had one: otherwise a shard's missing cases could not be told.
      return { results: all, summary: summariseEval(all, (inputs[0]!.report as EvalReport).summary.passK.k), ...(plans.every(Boolean) ? { plan: plans.flatMap((p) => p!) } : {}) };
    },
  },
  chaos: {
    identity: (r) => r.drill,
    what: 'drill',
    merge: (inputs, config) => {
      const all = results<ChaosResult>(inputs);
      config.drills = all.map((r) => r.drill);
      return { results: all, summary: summariseChaos(all) };
    },
  },
  load: { identity: loadResultId, what: 'load', merge: (inputs, config, options) => mergeLoad(inputs, config, options) },
};

async function mergeLoad(inputs: readonly MergeInput[], config: Record<string, unknown>, options: MergeOptions): Promise<Pick<LoadReport, 'summary' | 'results'>> {
  const shardCount = (shard: string | undefined) => (shard ? Number(shard.split('/')[1]) : 1);
  const counts = new Set(inputs.flatMap((i) => (i.report as LoadReport).results.map((r) => shardCount(r.shard))));
  if (counts.size > 1) refuse(`load runs split into different numbers of shards (${[...counts].join(', ')}; 1 = unsharded) are not one run`);
  const all = results<LoadResult>(inputs);
  const outcome = summariseLoad(all);

  // The full offered rate is what the disjoint shards offered together (the gate reads config.profile.rate).
  const profiles = inputs.map((i) => i.report.config.profile as Record<string, unknown> | undefined);
  const total = (key: string) => (profiles.every((p) => typeof p?.[key] === 'number') ? { [key]: profiles.reduce((s, p) => s + (p![key] as number), 0) } : {});
  if (profiles.every((p) => typeof p?.rate === 'number')) config.profile = { ...profiles[0], ...total('rate'), ...total('connections'), ...total('maxConnections') };
  // The sender's own saturation signal (cap hits) lives in each input's config, not in its results.
  const saturated = outcome.saturated || inputs.some((i) => i.report.config.saturated === true);
  config.saturated = saturated;
  config.percentilesAcrossShards = 'per run index, the max over its shards of the per-run percentile (an upper bound of the combined percentile); the summary takes the median over runs';

  // A verdict vs the baseline cannot be copied from a shard: recompute it with the same pure comparison, or say inconclusive.
  const baselines = [...new Set(inputs.map((i) => (i.report as LoadReport).summary.comparison?.baseline))];
  let summary: LoadReport['summary'] = outcome.summary;
  delete config.perPercentile;
  const paired = inputs.some((i) => (i.report as LoadReport).summary.comparison?.method === 'paired');
  if (paired) {
    // A paired verdict is judged over REF blocks kept in one run's config; shards of it cannot be re-paired.
    summary = { ...summary, comparison: { baseline: baselines.filter(Boolean).join(', ') || 'none', method: 'paired', verdict: 'inconclusive', reason: 'a paired comparison (load --against) is judged within one unsharded run; report merge cannot recompute it' } };
  } else if (baselines.length > 1 || baselines[0] !== undefined) {
    const note = `${saturated ? 'warning: a shard saturated (see config.varied); ' : ''}recomputed by report merge over ${inputs.length} reports; per-run percentiles are the max over shards`;
    if (baselines.length > 1 || baselines[0] === undefined) {
      summary = { ...summary, comparison: { baseline: baselines.filter(Boolean).join(', ') || 'none', verdict: 'inconclusive', reason: 'the inputs were compared with different baselines (or some with none)' } };
      config.perPercentile = [];
    } else {
      const path = baselines[0];
      let baseline: Baseline | undefined;
      let unreadable: string | undefined;
      try {
        baseline = await (options.readLoadBaseline ?? readBaseline)(path);
      } catch (err) {
        unreadable = err instanceof Error ? err.message : String(err);
      }
      const policy = (config.comparePolicy as ComparePolicy | undefined) ?? DEFAULT_COMPARE_POLICY;
      const compared = compareWithBaseline(path, baseline, outcome.runs, policy, unreadable ? `baseline unreadable: ${unreadable.slice(0, 200)}; ${note}` : note);
      summary = { ...summary, comparison: compared.summary };
      config.perPercentile = compared.comparison?.perPercentile ?? [];
    }
  }
  return { results: all, summary };
}

/**
 * Merges reports of one sharded run into one: refuses (EVL_ERR_REPORT_MERGE_REFUSED) different kinds,
 * commits, modes, models, run-defining config (MUST_MATCH) or overlapping results; concatenates the results
 * and recomputes the summary with the report package's measures. New runId and createdAt; `config.mergedFrom`
 * lists the input runIds.
 *
 * @example
 *   const report = await mergeReports([{ source: 'a.json', report: a }, { source: 'b.json', report: b }]);
 */
export async function mergeReports(inputs: readonly MergeInput[], options: MergeOptions = {}): Promise<Report> {
  if (inputs.length < 2) refuse(`needs at least two reports, got ${inputs.length}`);
  requireSame(inputs, 'kind', (r) => r.kind);
  const kind = inputs[0]!.report.kind;
  if (options.kind && options.kind !== kind) refuse(`--kind ${options.kind}, but the inputs are ${kind} reports`);
  if (!(MERGEABLE_KINDS as readonly string[]).includes(kind)) refuse(`${kind} reports are not mergeable (only ${MERGEABLE_KINDS.join(', ')})`);
  const k = kind as MergeableKind;
  refuseOverlap(inputs, (r) => [r.runId], 'runId');
  requireSame(inputs, 'commit (git.sha)', (r) => r.git.sha);
  requireSame(inputs, 'mode', (r) => r.mode);
  requireSame(inputs, 'model', (r) => r.model);
  for (const key of MUST_MATCH[k]) requireSame(inputs, `config.${key}`, (r) => mustMatchValue(k, key, r.config));

  const merger = MERGERS[k] as unknown as Merger<MergeableKind>;
  refuseOverlap(inputs, (r) => (r.results as ReportOf<MergeableKind>['results']).map((x) => merger.identity(x as never)), merger.what);
  const config = mergeConfig(inputs);
  const body = await merger.merge(inputs, config, options);
  const first = inputs[0]!.report;
  return {
    ...body,
    schemaVersion: first.schemaVersion,
    kind,
    runId: randomUUID(),
    createdAt: (options.now ?? new Date()).toISOString(),
    // One commit (checked above); dirty if any input was, since its evidence may not match the commit.
    git: { sha: first.git.sha, dirty: inputs.some((i) => i.report.git.dirty) },
    ...(first.mode ? { mode: first.mode } : {}),
    ...(first.model ? { model: first.model } : {}),
    config,
  } as Report;
}

/**
 * `luminamind report merge OUT IN…`: reads and validates every input (readReport), merges, writes OUT.
 *
 * @example
 *   await mergeReportFiles('reports/eval/report.json', ['shard-1/report.json', 'shard-2/report.json']);
 */
export async function mergeReportFiles(out: string, sources: readonly string[], options: MergeOptions = {}): Promise<{ path: string; report: Report }> {
  const inputs: MergeInput[] = [];
  for (const source of sources) inputs.push({ source, report: await readReport(source) });
  const merged = await mergeReports(inputs, options);
  const { schemaVersion: _v, kind, ...draft } = merged;
  return writeReport(kind, draft as never, out) as Promise<{ path: string; report: ReportOf<typeof kind> }>;
}
