import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { expectationsOf, runGrader, stoppedByBudget, toResult, type Graded } from '../grading.js';
import { resultId, type EvalResult } from '../report/index.js';
import type { Engine, EngineRun, Execution, Job } from '../types.js';

interface Slot {
  job: Job;
  execution?: Execution;
  graded: Graded[];
  graderError?: unknown;
}

/** What promptfoo hands a javascript assertion function (the subset we read). */
interface AssertionContext {
  vars: Record<string, unknown>;
}

interface PromptfooResultRow {
  success: boolean;
  vars?: Record<string, unknown>;
  testCase?: { vars?: Record<string, unknown> };
}

/** Where promptfoo keeps its database (for `promptfoo view`): beside our report, never the home directory. */
export function promptfooDbDir(outDir: string): string {
  return join(outDir, 'db');
}

async function loadPromptfoo(configDir: string | undefined): Promise<typeof import('promptfoo').default> {
  // The promptfoo library reads these from the environment and has no option for them; this module is the one
  // place the harness sets them, before promptfoo is first imported: no telemetry, no update check, no sharing,
  // and its database in our reports directory (the first run of a process picks it; the connection is cached).
  /* eslint-disable no-restricted-properties */
  process.env.PROMPTFOO_DISABLE_TELEMETRY = '1';
  process.env.PROMPTFOO_DISABLE_UPDATE = '1';
  process.env.PROMPTFOO_DISABLE_SHARING = '1';
  if (configDir && !process.env.PROMPTFOO_CONFIG_DIR) process.env.PROMPTFOO_CONFIG_DIR = configDir;
  // promptfoo logs "Starting evaluation…" on stdout at info, which would corrupt `--json`; our config is parsed already.
  process.env.LOG_LEVEL ??= 'warn';
  /* eslint-enable no-restricted-properties */
  if (configDir) await mkdir(configDir, { recursive: true });
  dropUndiciDecompressWarning();
  return (await import('promptfoo')).default;
}

let decompressWarningDropped = false;

/**
 * promptfoo's fetch turns on undici's decompress interceptor, which prints "ExperimentalWarning: DecompressInterceptor
 * is experimental" on first use, in the middle of `eval` and gate output. Nobody running the eval can act on it, so
 * that one warning is dropped; every other warning is emitted as before. Once per process (evals may run many times).
 */
function dropUndiciDecompressWarning(): void {
  if (decompressWarningDropped) return;
  decompressWarningDropped = true;
  const emit = process.emitWarning.bind(process);
  process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
    const message = typeof warning === 'string' ? warning : warning.message;
    if (message.startsWith('DecompressInterceptor is experimental')) return;
    (emit as (...args: unknown[]) => void)(warning, ...rest);
  }) as typeof process.emitWarning;
}

/**
 * promptfoo as the engine: each job is a promptfoo test, the in-process agent is a custom provider object, and
 * each of the case's graders is a javascript assertion (a function) running our grader on the trajectory. Our
 * envelope results are rebuilt from the same runs; promptfoo's own JSON/HTML/XML outputs go to promptfooOutDir.
 * A judge without a model is left out of promptfoo (it would show as a pass there) and recorded as skipped.
 *
 * @example
 *   const results = await engines.promptfoo.run({ task, jobs, execute, deps, onResult });
 */
async function runWithPromptfoo(run: EngineRun): Promise<EvalResult[]> {
  const { jobs, task: opts } = run;
  const promptfoo = await loadPromptfoo(opts.promptfooOutDir ? promptfooDbDir(opts.promptfooOutDir) : undefined);
  const slots = new Map<string, Slot>();
  const keyOf = (j: Job): string => resultId({ caseId: j.c.id, variant: j.variant, repeat: j.repeat });
  for (const job of jobs) slots.set(keyOf(job), { job, graded: [] });

  const provider = {
    id: () => 'luminamind:in-process',
    label: 'LuminaMind agent (in-process)',
    async callApi(_prompt: string, context?: { vars?: Record<string, unknown> }) {
      const slot = slots.get(String(context?.vars?.key));
      if (!slot) return { error: `unknown job ${String(context?.vars?.key)}` };
      const x = await run.execute(slot.job);
      slot.execution = x;
      if (!x.trajectory) return { error: `[${x.error?.code}] ${x.error?.message}`, metadata: { key: keyOf(slot.job) } };
      if (x.overBudget) slot.graded.push(...stoppedByBudget(x));
      const u = x.trajectory.usage;
      return {
        output: x.trajectory.answer,
        tokenUsage: { prompt: u.inputTokens, completion: u.outputTokens, total: u.inputTokens + u.outputTokens, numRequests: u.calls },
        cost: u.costUsd,
        latencyMs: x.latencyMs,
        metadata: { key: keyOf(slot.job), toolCalls: x.trajectory.toolCalls.map((c) => c.name), todos: x.trajectory.todos },
      };
    },
  };

  const tests = jobs.map((job) => {
    const expectations = expectationsOf(job.c).filter((e) => e.grader !== 'judge' || run.deps.judge || run.deps.judges?.length);
    const skippedJudges = expectationsOf(job.c).filter((e) => e.grader === 'judge' && !run.deps.judge && !run.deps.judges?.length);
    const slot = slots.get(keyOf(job))!;
    for (const _ of skippedJudges) slot.graded.push({ id: 'judge', pass: false, score: 0, reason: 'not run: no JUDGE_MODEL configured', skipped: true });
    return {
      description: `${job.c.id} ${job.variant}#${job.repeat}`,
      vars: { key: keyOf(job), caseId: job.c.id, variant: job.variant, repeat: job.repeat, input: job.c.input.join('\n---\n') },
      metadata: { category: job.c.category },
      assert: expectations.map((e) => ({
        type: 'javascript' as const,
        metric: e.grader,
        value: async (_output: string, context: AssertionContext) => {
          const s = slots.get(String(context.vars.key))!;
          if (!s.execution?.trajectory) return { pass: false, score: 0, reason: 'no trajectory (harness error)' };
          // A run stopped by its budget is graded by its budget alone (recorded when it stopped).
          if (s.execution.overBudget) return { pass: false, score: 0, reason: `budget: stopped: ${s.execution.overBudget}` };
          try {
            const g = await runGrader(s.job.c, e, { ...s.execution.trajectory, latencyMs: s.execution.latencyMs }, run.deps);
            s.graded.push(g);
            return { pass: g.pass, score: g.score, reason: `${g.id}: ${g.reason}` };
          } catch (err) {
            s.graderError ??= err;
            throw err;
          }
        },
      })),
    };
  });

  const outputs = opts.promptfooOutDir ? ['results.json', 'results.html', 'results.xml'].map((f) => join(opts.promptfooOutDir!, f)) : [];
  if (opts.promptfooOutDir) await mkdir(opts.promptfooOutDir, { recursive: true });
  const results: EvalResult[] = [];
  const finished = new Set<string>();
  const finish = async (slot: Slot): Promise<void> => {
    const key = keyOf(slot.job);
    if (finished.has(key)) return;
    finished.add(key);
    const r = slot.execution ? toResult(slot.execution, slot.graded, slot.graderError) : toResult({ job: slot.job, error: { code: 'EVL_ERR_HARNESS_FAILED', message: 'promptfoo never ran this test' }, latencyMs: 0, cleanup: async () => undefined }, []);
    results.push(r);
    run.onResult(r);
    await slot.execution?.cleanup();
  };
  let record: Awaited<ReturnType<typeof promptfoo.evaluate>>;
  try {
    record = await promptfoo.evaluate(
      {
        description: `LuminaMind regression suite (${opts.mode})`,
        prompts: ['{{input}}'],
        providers: [provider],
        tests,
        outputPath: outputs.length ? outputs : undefined,
        sharing: false,
        // Stored in promptfoo's database (promptfooDbDir) so `promptfoo view` shows the run.
        writeLatestResults: opts.promptfooDb ?? Boolean(opts.promptfooOutDir),
      } as never,
      {
        maxConcurrency: opts.concurrency ?? 4,
        cache: false,
        showProgressBar: false,
        // Called once a test's provider call and assertions are done: record it, show progress, free its workspace.
        progressCallback: (_done: number, _total: number, _index: number, step: { test?: { vars?: Record<string, unknown> } }) => {
          const slot = slots.get(String(step?.test?.vars?.key));
          if (slot) void finish(slot);
        },
      } as never,
    );
  } finally {
    for (const slot of slots.values()) await finish(slot);
  }
  // promptfoo decides pass/fail per test; ours must agree (same graders), else the engine and the envelope diverged.
  const summary = (await record.toEvaluateSummary()) as { results: PromptfooResultRow[] };
  const promptfooPass = new Map(summary.results.map((row) => [String(row.vars?.key ?? row.testCase?.vars?.key), row.success]));
  for (const r of results) {
    const p = promptfooPass.get(resultId(r));
    if (p !== undefined && p !== r.pass && !r.error) r.error = { code: 'EVL_ERR_HARNESS_FAILED', message: `promptfoo judged ${p ? 'pass' : 'fail'} but the graders ${r.pass ? 'passed' : 'failed'}` };
  }
  return results;
}

export const promptfooEngine = {
  id: 'promptfoo',
  description: "promptfoo's evaluate() drives the jobs; our graders are its assertions; its outputs in <out dir>/promptfoo/",
  run: runWithPromptfoo,
} satisfies Engine;
