import type { Config, ModelEndpoint } from '../agent/src/index.js';
import type { RegressionCase } from './dataset.js';
import type { FixtureServer } from './fixture-server.js';
import type { GraderDeps, Trajectory } from './graders/index.js';
import type { EvalMode, EvalResult } from './report/index.js';

// The nouns of an eval, shared by the runner, the engines and the targets. They live here, not in the runner,
// so nothing imports the runner (an engine or a target importing back from it made cycles).

export const TARGET_IDS = ['in-process', 'http'] as const;
export type TargetId = (typeof TARGET_IDS)[number];
export const ENGINE_IDS = ['promptfoo', 'plain'] as const;
export type EngineId = (typeof ENGINE_IDS)[number];

export interface HttpTarget {
  kind: 'http';
  /** Base URL of the service, e.g. http://127.0.0.1:8000 */
  url: string;
  apiKey?: string;
  /**
   * The service's WORKSPACE_ROOT when the harness can reach it (same machine or a shared volume): fixture files
   * are written to `<root>/<thread>` before the run and the workspace graders read them after. Without it, cases
   * with workspace fixtures are harness errors and workspace graders have nothing to inspect.
   */
  workspaceRoot?: string;
  timeoutMs?: number;
}
export type TargetSpec = { kind: 'in-process' } | HttpTarget;


/**
 * What an eval is, built once from the command line (`buildTask` in task.ts): which cases, against which
 * target, driven by which engine, in which mode, how often. The runner reads nothing else.
 */
export interface Task {
  cases: RegressionCase[];
  mode: EvalMode;
  /** The configuration the run starts from (loadConfig of the environment); per-run overrides are applied on top. */
  config: Config;
  repeat: number;
  concurrency: number;
  /** Per-run timeout; a run that exceeds it is a harness error (a case's latency budget, when lower, is the agent's failure). */
  timeoutMs: number;
  /** Directory of the shared fixture workspaces (datasets/fixtures/workspaces). */
  workspacesDir: string;
  target: TargetSpec;
  engine: EngineId;
  /** Replay mode: cassette files or directories recorded earlier. */
  cassettes?: string | string[];
  /** Live mode: write what the model says to this cassette file (through the simulator's recording proxy). */
  recordTo?: string;
  /** promptfoo engine: where its own outputs go (results.json, results.html, results.xml); none when unset. */
  promptfooOutDir?: string;
  /** promptfoo engine: also store the run in promptfoo's database under promptfooOutDir/db (default: when promptfooOutDir is set). */
  promptfooDb?: boolean;
  /** Test-only: replace a tool's result (e.g. a broken grep returning nothing) without touching the tool. */
  toolOverrides?: Partial<Record<string, (args: Record<string, unknown>) => unknown>>;
  /** Grader dependencies (the judges); default: the judges of `judgeModel` on the primary endpoint. */
  deps?: GraderDeps;
  /** JUDGE_MODEL: one judge model or several comma-separated, asked on the agent's primary endpoint. */
  judgeModel?: string;
  /** Where each result's trajectory is written (`trajectories/<case>.<variant>.<repeat>.json` under it); none when unset. */
  trajectoriesDir?: string;
  /** Result ids already done (resume, retry): the runner plans them but does not run them again. */
  skip?: ReadonlySet<string>;
  onResult?: (result: EvalResult, done: number, total: number) => void;
}

export interface Job {
  c: RegressionCase;
  variant: string;
  repeat: number;
  model: ModelEndpoint;
}

/** A run of one job before grading: the trajectory (its workspace still on disk) or the harness error. */
export interface Execution {
  job: Job;
  trajectory?: Trajectory;
  error?: { code: string; message: string };
  /** The run was stopped (or finished) over its budget: the agent's failure, graded as such. */
  overBudget?: string;
  latencyMs: number;
  cleanup(): Promise<void>;
}

/** Where a job runs. Registered in targets/index.ts; targets/targets.int.test.ts runs one suite over every target. */
export interface Target {
  id: TargetId;
  description: string;
  /** Runs the agent for one job; never throws (a failure is an Execution with `error`). */
  execute(job: Job, task: Task, web: FixtureServer): Promise<Execution>;
}

export interface EngineRun {
  task: Task;
  jobs: readonly Job[];
  execute(job: Job): Promise<Execution>;
  deps: GraderDeps;
  /** Called once per finished result (the runner streams it to disk and counts progress). */
  onResult(result: EvalResult): void;
}

/** What drives the jobs and grades them. Registered in engines/index.ts; engines/engines.int.test.ts runs one suite over every engine. */
export interface Engine {
  id: EngineId;
  description: string;
  run(r: EngineRun): Promise<EvalResult[]>;
}
