import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { type Command, InvalidArgumentError } from 'commander';
import type { Config } from '../agent/src/index.js';
import {
  compareReports,
  defaultReportPath,
  EvalModeSchema,
  flipsAgainst,
  formatShard,
  problemsOf,
  readReport,
  shardOption,
  summariseEval,
  writeReport,
  type Comparison,
  type EvalReport,
  type EvalResult,
  type EvalSummary,
  type Flips,
} from './report/index.js';
import type { EvalCommandOptions } from './task.js';
import type { Task } from './types.js';

// The agent, the runner, the engines and the graders (LangChain, promptfoo) are imported when a command runs, so
// `luminamind eval --help` never waits for them (bin/help-modules.int.test.ts).
export type { EvalCommandOptions } from './task.js';

function int(min: number, max: number): (v: string) => number {
  return (v) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < min || n > max) throw new InvalidArgumentError(`expected an integer in [${min}, ${max}]`);
    return n;
  };
}

const pct = (v: number | null | undefined): string => (v === null || v === undefined ? '   —  ' : `${(v * 100).toFixed(1).padStart(5)}%`);

/** The human summary: overall figures, per category, per grader, then every problem by id with the reason. */
export function formatSummary(report: Pick<EvalReport, 'mode' | 'model' | 'summary' | 'results'>): string {
  const s: EvalSummary = report.summary;
  const lines = [
    `LuminaMind eval — mode ${report.mode}, model ${report.model}: ${s.runs} run(s) over ${s.cases} case(s)`,
    `  pass rate        ${pct(s.passRate)}  (95% CI ${pct(s.passRateCi.lower).trim()}–${pct(s.passRateCi.upper).trim()})`,
    `  pass^${s.passK.k}           ${pct(s.passK.rate)}  (floor ${pct(s.passK.floor).trim()}${s.passK.floorCase ? ` at ${s.passK.floorCase}` : ''})`,
    `  hallucination    ${pct(s.hallucinationRate)}`,
    `  tool success     ${pct(s.toolSuccessRate)}`,
    `  harness errors   ${pct(s.harnessErrorRate)}`,
    ...(s.specificity !== undefined ? [`  specificity      ${pct(s.specificity)}  (gold passed / gold run)`, `  sensitivity      ${pct(s.sensitivity)}  (faulty caught / faulty run)`] : []),
    `  latency          p50 ${s.latencyP50Ms ?? 0} ms, p95 ${s.latencyP95Ms ?? 0} ms, p99 ${s.latencyP99Ms ?? 0} ms`,
    `  tokens           ${s.tokens?.input ?? 0} in, ${s.tokens?.output ?? 0} out; cost $${(s.costUsd ?? 0).toFixed(4)} (the agent's)`,
    ...(s.judgeUsage ? [`  judges           ${s.judgeUsage.calls} call(s), ${s.judgeUsage.input} in, ${s.judgeUsage.output} out; cost $${s.judgeUsage.costUsd.toFixed(4)} (apart)`] : []),
    ...(s.overBudget ? [`  over budget      ${s.overBudget} run(s) stopped by their budget`] : []),
    '',
    `  ${'category'.padEnd(20)} ${'runs'.padStart(5)} ${'pass'.padStart(7)}`,
    ...Object.entries(s.perCategory ?? {}).map(([c, v]) => `  ${c.padEnd(20)} ${String(v.runs).padStart(5)} ${pct(v.passRate).padStart(7)}`),
    '',
    `  ${'grader'.padEnd(20)} ${'runs'.padStart(5)} ${'skipped'.padStart(8)} ${'specificity'.padStart(12)} ${'sensitivity'.padStart(12)}`,
    ...Object.entries(s.perGrader ?? {}).map(
      ([g, v]) => `  ${g.padEnd(20)} ${String(v.runs).padStart(5)} ${String(v.skipped).padStart(8)} ${pct(v.specificity).padStart(12)} ${pct(v.sensitivity).padStart(12)}`,
    ),
  ];
  if (s.flaky?.length) lines.push('', `  ${s.flaky.length} flaky (passed and failed across repeats):`, ...s.flaky.map((g) => `  ~ ${g}: ${s.perCase?.[g]?.passed ?? 0}/${s.perCase?.[g]?.runs ?? 0} as expected`));
  const problems = problemsOf(report.results);
  if (problems.length) lines.push('', `  ${problems.length} problem(s):`, ...problems.map((p) => `  - ${p}`));
  return `${lines.join('\n')}\n`;
}

export function formatComparison(c: Comparison): string {
  return [
    `compare: ${c.verdict} (exact McNemar p = ${c.pValue.toPrecision(4)}, ${c.pairs} pair(s), ${c.regressed.length} regressed, ${c.improved.length} improved)`,
    ...c.regressed.map((k) => `  - regressed ${k}`),
    ...c.improved.map((k) => `  + improved  ${k}`),
  ].join('\n') + '\n';
}

function progress(result: EvalResult, done: number, total: number): void {
  const mark = result.error ? '!' : result.variant.startsWith('faulty:') ? (result.pass ? '✗' : '✓') : result.pass ? '✓' : '✗';
  const line = `[${String(done).padStart(String(total).length)}/${total}] ${mark} ${result.caseId} ${result.variant}${result.repeat ? `#${result.repeat}` : ''} ${result.latencyMs} ms`;
  if (process.stderr.isTTY) process.stderr.write(`\r\x1b[2K${line}${done === total ? '\n' : ''}`);
  else if (mark !== '✓' || done === total || done % 25 === 0) process.stderr.write(`${line}\n`);
}

/**
 * `luminamind eval`: runs the regression suite and writes the report envelope. Exit 1 only for facts: a harness
 * error, a simulated gold run that failed, or a regression against --baseline. How good is good enough (pass rate,
 * grader sensitivity…) is the gate's to judge, with the floors of gates/policy.yaml.
 */
export async function runEvalCommand(opts: EvalCommandOptions, given?: Config, extra: Partial<Task> = {}): Promise<{ exitCode: number; report: EvalReport; comparison?: Comparison; flips?: Flips }> {
  const [{ loadConfig, redactConfig }, { recover }, { buildTask }, { runEval }, { toJunit }, { formatMarkdown }] = await Promise.all([
    import('./agent-config.js'),
    import('./recovery.js'),
    import('./task.js'),
    import('./runner.js'),
    import('./junit.js'),
    import('./markdown.js'),
  ]);
  const config = given ?? loadConfig();
  const recovery = await recover(await buildTask(opts, config, { onResult: opts.json ? undefined : progress, ...extra }), opts);
  const { mode, recordTo } = recovery.task;
  const run = await runEval(recovery.task);
  const { model, plan } = run;
  const results = recovery.combine(run.results, plan);
  await recovery.journal.flush();
  const summary = summariseEval(results, opts.repeat);
  const { report } = await writeReport(
    'eval',
    {
      mode,
      model,
      config: { engine: opts.engine ?? 'promptfoo', target: opts.target ?? 'in-process', shard: opts.shard ? formatShard(opts.shard) : null, dataset: opts.dataset, filter: opts.filter ?? null, repeat: opts.repeat, concurrency: opts.concurrency, timeoutMs: opts.timeoutMs, recordTo: recordTo ?? null, agent: redactConfig(config), resumed: opts.resume ? recovery.carried : 0, retriedFrom: opts.retryErrors ?? null, lowestConcurrency: run.lowestConcurrency },
      plan,
      summary,
      results,
    },
    opts.out,
  );
  await recovery.journal.remove();
  await writeFile(join(dirname(opts.out), 'junit.xml'), toJunit(results));
  let comparison: Comparison | undefined;
  let flips: Flips | undefined;
  if (opts.baseline) {
    const base = await readReport(opts.baseline, 'eval');
    comparison = compareReports(base, report);
    flips = flipsAgainst(base.results, report.results);
  }
  await writeFile(join(dirname(opts.out), 'summary.md'), formatMarkdown(report, flips));
  let exitCode = 0;
  if (mode === 'simulated' && results.some((r) => r.variant === 'gold' && !r.pass)) exitCode = 1;
  if (results.some((r) => r.error)) exitCode = 1;
  if (comparison?.verdict === 'regressed') exitCode = 1;
  return { exitCode, report, comparison, flips };
}

/** The harness settings eval reads, parsed once by bin/harness-config.ts. */
export interface EvalSettings {
  readonly judgeModel?: string;
}

export function registerEvalCommand(program: Command, settings: EvalSettings = {}): void {
  const cmd = program
    .command('eval')
    .description('Run the regression suite (datasets/regression) against the agent and write reports/eval/report.json.')
    .option('-m, --mode <mode>', 'live | replay | simulated (default: live when a model is configured, else simulated)', (v) => {
      const parsed = EvalModeSchema.safeParse(v);
      if (!parsed.success) throw new InvalidArgumentError('expected live, replay or simulated');
      return parsed.data;
    })
    .option('-k, --repeat <k>', 'attempts per case and variant (pass^k)', int(1, 100), 1)
    .option('-f, --filter <regex>', 'only cases whose "id category tags" match')
    .option('-c, --concurrency <n>', 'runs in parallel', int(1, 64), 4)
    .option('-o, --out <file>', 'report path', defaultReportPath('eval'))
    .option('--baseline <file>', 'compare with this earlier eval report (exact McNemar); exit 1 when regressed')
    .option('--record [file]', 'live mode: record the model through the simulator proxy into a cassette file')
    .option('--dataset <dir>', 'regression cases', 'datasets/regression')
    .option('--cassettes <paths...>', 'replay mode: recorded cassette files or directories', ['datasets/cassettes'])
    .option('--timeout-ms <ms>', 'per-run timeout (a timeout is a harness error)', int(100, 3_600_000), 60_000)
    .option('--json', 'print the summary as JSON instead of a table')
    .option('--target <url>', 'run against a deployed service over HTTP (POST /v1/chat) instead of in-process; it must use APPROVAL_POLICY=auto')
    .option('--target-workspace-root <dir>', "the service's WORKSPACE_ROOT, when reachable: fixtures are written there and workspace graders read it")
    .option('--api-key-file <file>', 'file holding the API key for --target (kept out of argv)')
    .option('--resume', 'continue an interrupted run from its partial results (<out dir>/partial.jsonl): only the missing results run')
    .option('--retry-errors <report>', 'run again only the harness errors of this earlier report (same options); a result is replaced only when its retry succeeds')
    .option('--shard <i/n>', 'run the i-th of n slices of the cases (merge the reports afterwards)', shardOption)
    .option('--engine <engine>', 'promptfoo (its evaluate() runs the suite; outputs in <out dir>/promptfoo/) or plain (in-process loop)', (v) => {
      if (v !== 'promptfoo' && v !== 'plain') throw new InvalidArgumentError('expected promptfoo or plain');
      return v;
    })
    .addHelpText(
      'after',
      `
No model configured (OPENAI_BASE_URL / LLM_MODEL unset) → simulated: every case runs its gold script and
each faulty variant on the in-process simulator; gold must pass and faulty variants must be caught.

Examples:
  luminamind eval                                   # simulated, all cases
  luminamind eval --filter '^web-' --repeat 3
  OPENAI_BASE_URL=http://127.0.0.1:4010/v1 LLM_MODEL=sim luminamind eval --mode live --filter mem-
  luminamind eval --baseline reports/eval/baseline.json
  luminamind eval compare base.json candidate.json --json`,
    )
    .action(async (opts: EvalCommandOptions) => {
      const { exitCode, report, comparison } = await runEvalCommand(opts, undefined, { judgeModel: settings.judgeModel });
      if (opts.json) process.stdout.write(`${JSON.stringify({ summary: report.summary, comparison }, null, 2)}\n`);
      else {
        process.stdout.write(formatSummary(report));
        process.stdout.write(`  report: ${opts.out}; JUnit: ${join(dirname(opts.out), 'junit.xml')}${(opts.engine ?? 'promptfoo') === 'promptfoo' ? `; promptfoo: ${join(dirname(opts.out), 'promptfoo')}/results.{json,html,xml} (browse: PROMPTFOO_CONFIG_DIR=${join(dirname(opts.out), 'promptfoo', 'db')} npx promptfoo view)` : ''}\n`);
        if (comparison) process.stdout.write(formatComparison(comparison));
      }
      process.exitCode = exitCode;
    });
  cmd
    .command('calibrate')
    .description('Run the hallucination graders on a labelled set and report precision, recall and Cohen kappa.')
    .option('--set <file>', 'labelled calibration set', 'datasets/calibration/grounding.yaml')
    .option('--out <file>', 'write the calibration result as JSON here', 'reports/eval/calibration.json')
    .action(async (_opts: unknown, command: Command) => {
      const opts = command.optsWithGlobals<{ set: string; out: string; json?: boolean }>();
      const [{ loadConfig }, { calibrate, formatCalibration, loadCalibrationSet }, { judgeFrom }] = await Promise.all([
        import('./agent-config.js'),
        import('./calibration/calibrate.js'),
        import('./judge-model.js'),
      ]);
      const report = await calibrate(await loadCalibrationSet(opts.set), judgeFrom(loadConfig(), settings.judgeModel));
      await mkdir(dirname(opts.out), { recursive: true });
      await writeFile(opts.out, `${JSON.stringify(report, null, 2)}\n`);
      process.stdout.write(opts.json ? `${JSON.stringify(report, null, 2)}\n` : formatCalibration(report));
    });
  cmd
    .command('compare <base> <candidate>')
    .description('Compare two eval reports: exact McNemar over results paired by case, variant and repeat.')
    .option('--json', 'print {verdict, pValue, regressed[], improved[]} as JSON')
    .option('--alpha <a>', 'significance level', (v) => Number(v), 0.05)
    .action(async (base: string, candidate: string, _opts: unknown, command: Command) => {
      // `eval` has its own --json, so commander may hand the flag to the parent: read both.
      const opts = command.optsWithGlobals<{ json?: boolean; alpha: number }>();
      const c = compareReports(await readReport(base, 'eval'), await readReport(candidate, 'eval'), opts.alpha);
      process.stdout.write(opts.json ? `${JSON.stringify({ verdict: c.verdict, pValue: c.pValue, regressed: c.regressed, improved: c.improved }, null, 2)}\n` : formatComparison(c));
      process.exitCode = c.verdict === 'regressed' ? 1 : 0;
    });
}
