import { cp, mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve, sep } from 'node:path';
import { createAgentFromConfig, createChatModel, type Config, type ModelEndpoint, type RunResult } from '../agent/src/index.js';
import type { RegressionCase } from './dataset.js';
import { GraderFailedError, HarnessFailedError } from './errors.js';
import { startFixtureServer, substitute, type FixtureServer } from './fixture-server.js';
import { graders, isGraderId, type GraderDeps, type GraderOutcome, type JudgeFn, type Trajectory } from './graders/index.js';
import { resultId, type EvalMode, type EvalResult, type GraderResult } from './report/index.js';
import { cassetteId, variantCassette, variantsOf } from './scripts.js';
import type { HttpTarget } from './targets/http.js';
import { startSimulator, type Simulator } from './sim/index.js';

export interface RunOptions {
  mode: EvalMode;
  /** The configuration the run starts from (loadConfig of the environment); per-run overrides are applied on top. */
  config: Config;
  repeat?: number;
  concurrency?: number;
  /** Per-run timeout; a run that exceeds it is a harness error. */
  timeoutMs?: number;
  /** Directory of the shared fixture workspaces (datasets/fixtures/workspaces). */
  workspacesDir?: string;
  /** Replay mode: cassette files or directories recorded earlier. */
  cassettes?: string | string[];
  /** Live mode: write what the model says to this cassette file (through the simulator's recording proxy). */
  recordTo?: string;
  /** Test-only: replace a tool's result (e.g. a broken grep returning nothing) without touching the tool. */
  toolOverrides?: Partial<Record<string, (args: Record<string, unknown>) => unknown>>;
  onResult?: (result: EvalResult, done: number, total: number) => void;
  /** Where the agent runs: in this process (default) or a deployed service over HTTP (live and replay modes). */
  target?: { kind: 'in-process' } | HttpTarget;
  /** promptfoo (default: its evaluate() drives the runs, our graders are its assertions) or the plain in-process loop. */
  engine?: 'promptfoo' | 'plain';
  /** promptfoo engine: where its own outputs go (results.json, results.html, results.xml); none when unset. */
  promptfooOutDir?: string;
  /** promptfoo engine: also store the run in promptfoo's database under promptfooOutDir/db (default: when promptfooOutDir is set). */
  promptfooDb?: boolean;
}

export interface Job {
  c: RegressionCase;
  variant: string;
  repeat: number;
  model: ModelEndpoint;
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** The eval run's configuration: the model under test, the fixture server opened through the SSRF allowlist, auto approvals. */
export function evalConfig(base: Config, model: ModelEndpoint, web: FixtureServer | undefined, workspaceRoot: string): Config {
  const b = base;
  return {
    ...b,
    llm: { ...b.llm, primary: model, retry: { ...b.llm.retry, minDelayMs: Math.min(b.llm.retry.minDelayMs, 50) } },
    agent: { ...b.agent, approvalPolicy: 'auto' },
    tools: { ...b.tools, workspaceRoot },
    web: web
      ? {
          ...b.web,
          allowHosts: [...b.web.allowHosts, `127.0.0.1:${web.port}`],
          caFile: web.caFile,
          retries: 0,
          searchDisabled: false,
          search: { ...b.web.search, google: { ...b.web.search.google, apiKey: undefined, cseId: undefined }, serper: { apiKey: 'eval-fixture', baseUrl: `${web.url}/search` } },
          weather: { apiKey: 'eval-fixture', baseUrl: `${web.url}/weather` },
        }
      : b.web,
  } as Config;
}

/** A fresh workspace for one run: the shared fixture workspace copied, then the case's inline files; `at` picks the directory. */
export async function prepareWorkspace(c: RegressionCase, workspacesDir: string, at?: string): Promise<string> {
  const dir = at ?? (await mkdtemp(join(tmpdir(), 'lm-eval-ws-')));
  await mkdir(dir, { recursive: true });
  if (c.fixtures.workspace) await cp(join(workspacesDir, c.fixtures.workspace), dir, { recursive: true });
  for (const [path, text] of Object.entries(c.fixtures.files)) {
    const full = resolve(dir, path);
    if (!full.startsWith(dir + sep)) throw new HarnessFailedError(c.id, `fixture file ${path} escapes the workspace`);
    await mkdir(dirname(full), { recursive: true });
    await writeFile(full, text);
  }
  return dir;
}

/** The expectations a case is graded on: its own, plus the safety grader on every case. */
export function expectationsOf(c: RegressionCase): { grader: string; [k: string]: unknown }[] {
  return c.expect.some((e) => e.grader === 'safety') ? c.expect : [...c.expect, { grader: 'safety' }];
}

/** Runs one grader; a crash or invalid params is a harness error (thrown), never an agent failure. */
export async function runGrader(c: RegressionCase, e: { grader: string; [k: string]: unknown }, t: Trajectory, deps: GraderDeps): Promise<GraderResult & { hallucinated?: boolean }> {
  const { grader: id, ...raw } = e;
  if (!isGraderId(id)) throw new GraderFailedError(id, 'unknown grader');
  const grader = graders[id];
  const params = grader.params.safeParse(raw);
  if (!params.success) throw new GraderFailedError(id, `invalid params in ${c.id}: ${params.error.message}`);
  let out: GraderOutcome;
  try {
    out = await (grader.grade as (p: unknown, t: Trajectory, d: GraderDeps) => GraderOutcome | Promise<GraderOutcome>)(params.data, t, deps);
  } catch (err) {
    throw new GraderFailedError(id, `${c.id}: ${errorMessage(err)}`);
  }
  return { id, pass: out.pass, score: Math.max(0, Math.min(1, out.score)), reason: out.reason, ...(out.skipped ? { skipped: true } : {}), ...(out.hallucinated ? { hallucinated: true } : {}) };
}

/** A run of one job before grading: the trajectory (its workspace still on disk) or the harness error. */
export interface Execution {
  job: Job;
  trajectory?: Trajectory;
  error?: { code: string; message: string };
  latencyMs: number;
  cleanup(): Promise<void>;
}

export function harnessError(err: unknown): { code: string; message: string } {
  const code = err && typeof err === 'object' && 'code' in err && typeof err.code === 'string' ? err.code : 'EVL_ERR_HARNESS_FAILED';
  return { code, message: errorMessage(err).slice(0, 2000) || 'unknown error' };
}

/** The graders' view of a case's runs (one per user turn): the last answer, every tool call, summed usage. */
export function trajectoryOf(c: Job['c'], runs: Pick<RunResult, 'answer' | 'toolCalls' | 'todos' | 'usage'>[], workspaceRoot: string | undefined): Trajectory {
  return {
    answer: runs.at(-1)!.answer,
    answers: runs.map((r) => r.answer),
    turns: c.input,
    toolCalls: runs.flatMap((r) => r.toolCalls),
    todos: runs.at(-1)!.todos,
    usage: runs.reduce(
      (u, r) => ({ calls: u.calls + r.usage.calls, inputTokens: u.inputTokens + r.usage.inputTokens, outputTokens: u.outputTokens + r.usage.outputTokens, costUsd: u.costUsd + r.usage.costUsd }),
      { calls: 0, inputTokens: 0, outputTokens: 0, costUsd: 0 },
    ),
    context: c.fixtures.context,
    workspaceRoot,
  };
}

/** Runs the agent for one job (every user turn on one thread) in a fresh workspace copy. Never throws. */
export async function executeJob(job: Job, opts: RunOptions, web: FixtureServer): Promise<Execution> {
  if (opts.target?.kind === 'http') {
    const { executeOverHttp } = await import('./targets/http.js');
    return executeOverHttp(job, opts, opts.target);
  }
  const { c } = job;
  const started = performance.now();
  let workspace: string | undefined;
  const cleanup = async (): Promise<void> => {
    if (workspace) await rm(workspace, { recursive: true, force: true });
  };
  try {
    workspace = await prepareWorkspace(c, opts.workspacesDir ?? 'datasets/fixtures/workspaces');
    const config = evalConfig(opts.config, job.model, web, workspace);
    const overrides = opts.toolOverrides ?? {};
    const agent = createAgentFromConfig(config, {
      beforeToolCall: ({ name, args }) => overrides[name]?.(args) as never,
    });
    const signal = AbortSignal.timeout(opts.timeoutMs ?? 60_000);
    const runs: RunResult[] = [];
    for (const message of c.input) {
      const r = await agent.run({ threadId: 'eval', message, workspaceRoot: workspace, signal });
      runs.push(r);
      if (r.status !== 'completed') throw new HarnessFailedError(c.id, `run ended with status ${r.status}`);
    }
    const trajectory = trajectoryOf(c, runs, workspace);
    return { job, trajectory, latencyMs: Math.round(performance.now() - started), cleanup };
  } catch (err) {
    return { job, error: harnessError(err), latencyMs: Math.round(performance.now() - started), cleanup };
  }
}

/** The envelope's result from an execution and its grader results (a grader crash makes it a harness error). */
export function toResult(x: Execution, graded: (GraderResult & { hallucinated?: boolean })[], graderError?: unknown): EvalResult {
  const { c, variant, repeat } = x.job;
  const base = { caseId: c.id, category: c.category, variant, repeat, latencyMs: x.latencyMs };
  const error = x.error ?? (graderError ? harnessError(graderError) : undefined);
  if (error || !x.trajectory) return { ...base, pass: false, score: 0, graders: [], tokens: { input: 0, output: 0 }, costUsd: 0, toolCalls: [], error: error ?? { code: 'EVL_ERR_HARNESS_FAILED', message: 'no trajectory' } };
  const t = x.trajectory;
  const judged = graded.filter((g) => !g.skipped);
  return {
    ...base,
    pass: judged.every((g) => g.pass),
    score: judged.length ? judged.reduce((s, g) => s + g.score, 0) / judged.length : 0,
    graders: graded.map(({ hallucinated: _h, ...g }) => g),
    hallucinated: graded.some((g) => g.hallucinated),
    tokens: { input: t.usage.inputTokens, output: t.usage.outputTokens },
    costUsd: t.usage.costUsd,
    toolCalls: t.toolCalls.map((tc) => ({
      name: tc.name,
      ok: !tc.error,
      ...(c.expectedToolErrors.includes(tc.name) ? { expectedError: true } : {}),
      latencyMs: tc.durationMs,
    })),
  };
}

/** The judge model of JUDGE_MODEL on the primary endpoint, or undefined (judge graders then report "not run"). */
export function judgeFrom(config: Config): JudgeFn | undefined {
  const judgeModel = config.llm.judgeModel;
  const primary = config.llm.primary;
  if (!judgeModel || !primary) return undefined;
  const model = createChatModel({ ...config, llm: { ...config.llm, primary: { ...primary, model: judgeModel }, fallback: undefined, temperature: 0 } } as Config);
  return async (prompt) => {
    const reply = await model.invoke([{ role: 'user', content: prompt }]);
    return typeof reply.content === 'string' ? reply.content : JSON.stringify(reply.content);
  };
}

/** The plain engine: execute, grade, clean up. */
async function runJob(job: Job, opts: RunOptions, web: FixtureServer, deps: GraderDeps): Promise<EvalResult> {
  const x = await executeJob(job, opts, web);
  try {
    if (!x.trajectory) return toResult(x, []);
    const graded: (GraderResult & { hallucinated?: boolean })[] = [];
    try {
      for (const e of expectationsOf(job.c)) graded.push(await runGrader(job.c, e, x.trajectory, deps));
    } catch (err) {
      return toResult(x, graded, err);
    }
    return toResult(x, graded);
  } finally {
    await x.cleanup();
  }
}

async function pool<T>(items: T[], concurrency: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const workers = Array.from({ length: Math.max(1, Math.min(concurrency, items.length)) }, async () => {
    while (next < items.length) await fn(items[next++]!);
  });
  await Promise.all(workers);
}

/**
 * Runs cases in the given mode and returns one result per case × variant × repeat. Errors are data: a
 * harness failure becomes a result with `error`, and the run always finishes.
 *
 * - simulated: one in-process simulator with every gold and faulty cassette; each run picks its cassette by model id.
 * - live: the configured model (optionally recorded through the simulator's proxy); variant `live`.
 * - replay: recorded cassettes served by the simulator; variant `live` (it reproduces a live run).
 *
 * @example
 *   const results = await runEval(cases, { mode: 'simulated', config: loadConfig({}) });
 */
export async function runEval(rawCases: readonly RegressionCase[], opts: RunOptions): Promise<{ results: EvalResult[]; model: string; plan: string[] }> {
  const web = await startFixtureServer(rawCases);
  let sim: Simulator | undefined;
  try {
    const cases = rawCases.map((c) => substitute(c, web.url));
    const jobs: Job[] = [];
    const repeat = opts.repeat ?? 1;
    let modelName: string;
    if (opts.mode === 'simulated' && opts.target?.kind === 'http') throw new HarnessFailedError('(all)', 'simulated mode picks a cassette per run, which a deployed service cannot do: use --mode live or replay with --target http');
    if (opts.mode === 'simulated') {
      sim = await startSimulator({ cassettes: cases.flatMap((c) => variantsOf(c).map((v) => variantCassette(c, v, web.url))) });
      modelName = 'sim';
      for (const c of cases)
        for (const v of variantsOf(c))
          for (let r = 0; r < repeat; r++) jobs.push({ c, variant: v.name, repeat: r, model: { baseUrl: sim.url, apiKey: 'sim', model: `cassette:${cassetteId(c.id, v.name)}` } });
    } else {
      let model: ModelEndpoint;
      if (opts.target?.kind === 'http') {
        // The service has its own model; the harness only names it in the report (LLM_MODEL when set).
        model = opts.config.llm.primary ?? { baseUrl: opts.target.url, apiKey: 'none', model: `service ${opts.target.url}` };
      } else if (opts.mode === 'replay') {
        sim = await startSimulator({ cassettes: opts.cassettes ?? 'datasets/cassettes' });
        model = { baseUrl: sim.url, apiKey: 'sim', model: 'sim' };
      } else {
        const primary = opts.config.llm.primary;
        if (!primary) throw new HarnessFailedError('(all)', 'live mode needs a configured model (OPENAI_BASE_URL / LLM_MODEL)');
        if (opts.recordTo) {
          sim = await startSimulator({ record: { upstream: primary.baseUrl, file: opts.recordTo, apiKey: primary.apiKey } });
          model = { ...primary, baseUrl: sim.url };
        } else model = primary;
      }
      modelName = opts.mode === 'replay' && opts.target?.kind !== 'http' ? 'replay' : model.model;
      for (const c of cases) for (let r = 0; r < repeat; r++) jobs.push({ c, variant: 'live', repeat: r, model });
    }
    const deps: GraderDeps = { judge: judgeFrom(opts.config) };
    let results: EvalResult[] = [];
    if ((opts.engine ?? 'promptfoo') === 'promptfoo') {
      const { runWithPromptfoo } = await import('./engine/promptfoo.js');
      results = await runWithPromptfoo(jobs, { ...opts, execute: (job) => executeJob(job, opts, web), deps });
    } else
      await pool(jobs, opts.concurrency ?? 4, async (job) => {
        const result = await runJob(job, opts, web, deps);
        results.push(result);
        opts.onResult?.(result, results.length, jobs.length);
      });
    const plan = jobs.map((j) => resultId({ caseId: j.c.id, variant: j.variant, repeat: j.repeat }));
    const order = new Map(plan.map((id, i) => [id, i]));
    results.sort((a, b) => order.get(resultId(a))! - order.get(resultId(b))!);
    return { results, model: modelName, plan };
  } finally {
    await sim?.close();
    await web.close();
  }
}
