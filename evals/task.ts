import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Config } from '../agent/src/index.js';
import { loadDataset, type RegressionCase } from './dataset.js';
import { EvalUsageError } from './errors.js';
import { GRADER_IDS } from './graders/index.js';
import { resultId, shardSlice, type EvalMode, type Shard } from './report/index.js';
import { variantsOf } from './scripts.js';
import type { EngineId, Task, TargetSpec } from './types.js';

/** The command line of `luminamind eval`, as commander parses it. */
export interface EvalCommandOptions {
  mode?: EvalMode;
  repeat: number;
  filter?: string;
  concurrency: number;
  out: string;
  baseline?: string;
  record?: string | boolean;
  dataset: string;
  cassettes?: string[];
  timeoutMs: number;
  json?: boolean;
  engine?: EngineId;
  shard?: Shard;
  target?: string;
  targetWorkspaceRoot?: string;
  apiKeyFile?: string;
  /** Continue the run whose partial results are beside --out. */
  resume?: boolean;
  /** Re-run only the errored results of this earlier report. */
  retryErrors?: string;
}

/** Matches a case by id, category or tag: a regex over "id category tag…". */
export function filterCases(cases: RegressionCase[], filter: string | undefined): RegressionCase[] {
  if (!filter) return cases;
  let re: RegExp;
  try {
    // The filter is the operator's own command-line input.
    // eslint-disable-next-line security/detect-non-literal-regexp
    re = new RegExp(filter);
  } catch (err) {
    throw new EvalUsageError(`--filter is not a valid regex: ${(err as Error).message}`);
  }
  const picked = cases.filter((c) => re.test([c.id, c.category, ...c.tags].join(' ')));
  if (picked.length === 0) throw new EvalUsageError(`--filter ${filter} matches no case`);
  return picked;
}

/** Where `--record` writes when it names no file. */
function defaultRecording(): string {
  return join('datasets/cassettes/recorded', `${new Date().toISOString().replace(/[:.]/g, '-')}.yaml`);
}

/**
 * The eval `Task`, built once from the command line: the cases (dataset, filter, shard), mode, target, engine,
 * repeat, limits. Every usage error of these options is raised here, before anything runs.
 *
 * @example
 *   const task = await buildTask({ dataset: 'datasets/regression', repeat: 3, … }, loadConfig());
 */
export async function buildTask(opts: EvalCommandOptions, config: Config, extra: Partial<Task> = {}): Promise<Task> {
  const mode: EvalMode = opts.mode ?? (config.llm.primary ? 'live' : 'simulated');
  if (opts.record && mode !== 'live') throw new EvalUsageError('--record needs --mode live');
  if (opts.targetWorkspaceRoot && !opts.target) throw new EvalUsageError('--target-workspace-root needs --target URL');
  if (opts.target && mode === 'simulated') throw new EvalUsageError('--target needs --mode live or replay (simulated mode picks a cassette per run)');
  const cases = shardSlice(filterCases(await loadDataset(opts.dataset, GRADER_IDS), opts.filter), opts.shard);
  const target: TargetSpec = opts.target
    ? { kind: 'http', url: opts.target, workspaceRoot: opts.targetWorkspaceRoot, apiKey: opts.apiKeyFile ? (await readFile(opts.apiKeyFile, 'utf8')).trim() : undefined }
    : { kind: 'in-process' };
  return {
    cases,
    mode,
    config,
    repeat: opts.repeat,
    concurrency: opts.concurrency,
    timeoutMs: opts.timeoutMs,
    workspacesDir: join(dirname(opts.dataset), 'fixtures/workspaces'),
    target,
    engine: opts.engine ?? 'promptfoo',
    cassettes: opts.cassettes,
    recordTo: opts.record ? (typeof opts.record === 'string' ? opts.record : defaultRecording()) : undefined,
    promptfooOutDir: join(dirname(opts.out), 'promptfoo'),
    trajectoriesDir: dirname(opts.out),
    ...extra,
  };
}

/** The result ids a task sets out to produce, in the runner's order (case × variant × repeat). */
export function planOf(task: Pick<Task, 'cases' | 'mode' | 'repeat'>): string[] {
  return task.cases.flatMap((c) =>
    (task.mode === 'simulated' ? variantsOf(c).map((v) => v.name) : ['live']).flatMap((variant) => Array.from({ length: task.repeat }, (_, repeat) => resultId({ caseId: c.id, variant, repeat }))),
  );
}
