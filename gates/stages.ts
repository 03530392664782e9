import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { defaultReportPath, parseReport, writeReport, type GitInfo, type ReportKind, type StageRun } from '../evals/report/index.js';
import { convertCoverage } from './coverage.js';
import { readStageTimes, recordStageTime, stageProgress } from './progress.js';

/**
 * A stage that produces one kind of evidence. Data-driven: a later issue adds its npm script (and the
 * `luminamind` subcommand it wraps) and the gate starts running it.
 */
export interface Stage {
  kind: ReportKind;
  title: string;
  /** npm script to run; the stage is "not available yet" while package.json lacks it. */
  script: string;
  /** The luminamind subcommand the script wraps, which must be registered too. */
  subcommand?: string;
  /** Extra arguments after `--`, given the reports directory. */
  args: (reportsDir: string) => string[];
  timeoutMs: number;
  /** Turns the stage's raw output into the report envelope, when the tool does not write one itself; `git` is the commit the run started on. */
  convert?: (reportsDir: string, git: GitInfo) => Promise<unknown>;
  /**
   * Globs (picomatch, from the repository root) of files that cannot change the stage's result: its evidence is reused
   * at a later commit when nothing else changed (gates/inputs.ts). Leaving a file out that matters reuses evidence
   * that no longer holds, so declare narrowly.
   */
  irrelevant: readonly string[];
  /**
   * A cheap check of what `irrelevant` leaves out (the tests that read documentation; the secrets scan over prose):
   * run whenever the stage's evidence is reused, so reuse never skips it. A guard that fails cannot pass a check.
   */
  guard?: { command: string; argv: (reportsDir: string) => string[] };
  /**
   * Computes more than it waits (the tests: more workers than cores; the security scan and the eval: 1.4-1.7 cores
   * each when alone). Never runs beside a `timing` stage, whatever `--jobs` says.
   */
  cpuBound?: boolean;
  /**
   * Measures time (latency, recovery): never runs beside a `cpuBound` stage, whose CPU would be measured as the
   * service's slowness (with the eval beside them, redis-freeze's P95 during the freeze went 4.69 -> 5.34 s against
   * its 5 s bound). Timing stages may run beside each other: load and chaos keep about one core busy together, and
   * judge paired (load: both sides at once) or against SLOs (chaos drills already run four lanes at once); side by
   * side they took 74 s instead of 63 + 71 s, with the same verdicts.
   */
  timing?: boolean;
}

/** Test files that read documentation (found by gates/stage-inputs.test.ts): the tests stage's guard. */
export const DOC_TESTS = ['docs/standalone.test.ts', 'agent/src/errors.test.ts', 'agent/src/config.test.ts', 'agent/src/plugins/error-envelope.test.ts', 'gates/mutations.test.ts', 'deploy/monitoring/monitoring.int.test.ts'];

/** Prose only: the harness and the service never read it (tests that do are the tests stage's guard). */
const DOCUMENTATION = ['**/*.md', 'docs/runbooks/**'];
/** Deployment manifests and CI workflows: the eval, load and chaos stages run the service from source, not these. */
const DEPLOYMENT = ['deploy/**', '.github/**', '.dockerignore'];
/** The chaos drills judge alerts with the rules in deploy/monitoring/ (chaos/lab/alerts/drill-rules.ts): those stay inputs. */
const DEPLOYMENT_BUT_MONITORING = ['deploy/!(monitoring)/**', 'deploy/*', '.github/**', '.dockerignore'];

const MINUTE = 60_000;

export const STAGES: readonly Stage[] = [
  {
    kind: 'coverage',
    title: 'tests with coverage',
    cpuBound: true,
    script: 'test:coverage',
    args: (dir) => [
      '--coverage.reportOnFailure',
      `--coverage.reportsDirectory=${join(dir, 'coverage/raw')}`,
      `--reporter=${join(import.meta.dirname, 'vitest-progress-reporter.ts')}`,
      '--reporter=json',
      `--outputFile.json=${join(dir, 'coverage/raw/test-results.json')}`,
    ],
    timeoutMs: 25 * MINUTE,
    convert: (dir, git) =>
      convertCoverage({ summary: join(dir, 'coverage/raw/coverage-summary.json'), tests: join(dir, 'coverage/raw/test-results.json'), out: defaultReportPath('coverage', dir), git }),
    // The tests depend on everything that is tested, deployment files included; only prose is left out, and the
    // tests that read prose run as the guard.
    irrelevant: DOCUMENTATION,
    guard: { command: `npm test -- ${DOC_TESTS.join(' ')}`, argv: () => ['npm', 'run', '--silent', 'test', '--', '--reporter=dot', ...DOC_TESTS] },
  },
  {
    kind: 'security',
    title: 'security scan',
    script: 'security',
    subcommand: 'scan',
    args: (dir) => ['--out', defaultReportPath('security', dir)],
    timeoutMs: 15 * MINUTE,
    cpuBound: true,
    // The code scanners read code, the audit the lockfile; a secret can hide in prose too, so the secrets scan guards.
    irrelevant: DOCUMENTATION,
    guard: { command: 'npm run security -- --only secrets', argv: (dir) => ['npm', 'run', '--silent', 'security', '--', '--only', 'secrets', '--out', join(dir, 'security/guard.json')] },
  },
  {
    kind: 'eval',
    title: 'eval (simulated unless a model is configured)',
    script: 'eval',
    subcommand: 'eval',
    args: (dir) => ['--out', defaultReportPath('eval', dir)],
    timeoutMs: 30 * MINUTE,
    cpuBound: true,
    irrelevant: [...DOCUMENTATION, ...DEPLOYMENT],
  },
  { kind: 'load', title: 'load smoke', script: 'load', subcommand: 'load', args: (dir) => ['--against', 'auto', '--out', defaultReportPath('load', dir)], timeoutMs: 10 * MINUTE, irrelevant: [...DOCUMENTATION, ...DEPLOYMENT], timing: true },
  { kind: 'chaos', title: 'chaos drills', script: 'chaos', subcommand: 'chaos', args: (dir) => ['--out', defaultReportPath('chaos', dir)], timeoutMs: 15 * MINUTE, irrelevant: [...DOCUMENTATION, ...DEPLOYMENT_BUT_MONITORING], timing: true },
];

/**
 * Why a stage cannot run yet, or null when it can. Only the npm script is checked: the CLI registers just the
 * harness command it was asked for (bin/harness.ts), so `_subcommands` (the gate's own program) cannot list the
 * others; a subcommand that is missing makes its stage exit non-zero, and a failed stage never passes a check.
 */
export async function stageUnavailable(stage: Stage, _subcommands: ReadonlySet<string>, packageJson = 'package.json'): Promise<string | null> {
  const pkg = JSON.parse(await readFile(packageJson, 'utf8')) as { scripts?: Record<string, string> };
  if (!pkg.scripts?.[stage.script]) return `no npm script "${stage.script}" yet`;
  return null;
}

/** How a stage is named in its envelope and the decision. */
export const stageCommand = (stage: Pick<Stage, 'script'>): string => `npm run ${stage.script}`;

/**
 * Runs a stage's npm script with its output on stderr (stdout stays the gate's), killed at its time limit.
 * `command` overrides what runs (tests give a fake runner); the record still names the stage's script.
 */
export async function runStage(stage: Stage, reportsDir: string, command?: readonly string[]): Promise<StageRun> {
  const argv = command ?? ['npm', 'run', '--silent', stage.script, '--', ...stage.args(reportsDir)];
  // Counts and an estimate instead of raw dots (gates/progress.ts); the estimate starts from this stage's last duration.
  const previousMs = command ? undefined : (await readStageTimes(reportsDir))[stage.kind];
  const progress = stageProgress({ label: `gate: ${stage.kind}`, previousMs, write: (line) => process.stderr.write(`${line}\n`), passThrough: (text) => process.stderr.write(text) });
  const started = Date.now();
  const run = await new Promise<StageRun>((resolve) => {
    const child = spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    child.stdout?.on('data', progress.output);
    child.stderr?.on('data', progress.output);
    const heartbeat = setInterval(progress.tick, 5000);
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      if (child.pid) process.kill(-child.pid, 'SIGTERM');
    }, stage.timeoutMs);
    let settled = false;
    const done = (exitCode: number | null) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      clearInterval(heartbeat);
      progress.stop();
      resolve({ command: stageCommand(stage), exitCode, timedOut, durationMs: Date.now() - started, timeoutMs: stage.timeoutMs });
    };
    child.on('error', () => done(null));
    // 'exit', not 'close': a grandchild that keeps the pipes open must not hold the gate past the stage.
    child.on('exit', (code) => done(code));
  });
  if (!command && run.exitCode === 0 && !run.timedOut) await recordStageTime(reportsDir, stage.kind, run.durationMs);
  return run;
}

/** Runs a stage's guard under the stage's limit; `command` overrides what runs (tests give a fake one). */
export async function runGuard(stage: Stage & Required<Pick<Stage, 'guard'>>, reportsDir: string, command = stage.guard.argv(reportsDir)): Promise<StageRun> {
  return { ...(await runStage(stage, reportsDir, command)), command: stage.guard.command };
}

/** Whether a stage may start beside those running: never a timing stage beside a CPU-bound one, or the reverse. */
function fits(stage: Pick<Stage, 'cpuBound' | 'timing'>, running: readonly Pick<Stage, 'cpuBound' | 'timing'>[]): boolean {
  return !running.some((other) => (stage.timing && other.cpuBound) || (stage.cpuBound && other.timing));
}

/**
 * Runs `work` for every item, in order, up to `jobs` at a time; an item that does not fit beside those running
 * (`fits`) waits until it does, and the items after it wait behind it. Only items that run count: reused evidence
 * takes no machine. Results come back in the items' order.
 *
 * @example
 *   await runScheduled(plans, 3, (p) => execute(p)); // coverage, security and eval side by side, then load beside chaos
 */
export async function runScheduled<T extends { stage: Pick<Stage, 'cpuBound' | 'timing'>; action: string }, R>(items: readonly T[], jobs: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let running: { task: Promise<void>; stage: Pick<Stage, 'cpuBound' | 'timing'> }[] = [];
  for (const [i, item] of items.entries()) {
    const stage = item.action === 'run' ? item.stage : {};
    while (running.length >= jobs || !fits(stage, running.map((r) => r.stage))) await Promise.race(running.map((r) => r.task));
    const task: Promise<void> = work(item).then((r) => {
      results[i] = r;
      running = running.filter((t) => t.task !== task);
    });
    running.push({ task, stage });
  }
  await Promise.all(running.map((r) => r.task));
  return results;
}

/**
 * Writes how the stage ran into the envelope it left, when that report was written by this run (created at or after
 * `startedAt`): the exit code, duration and limit travel with the evidence. Returns whether it did; an older report
 * (the stage wrote nothing) is left as it is, and is stale or otherwise judged on its own.
 *
 * @example
 *   await stampStage('reports/coverage/report.json', run, started); // true
 */
export async function stampStage(path: string, run: StageRun, startedAt: number): Promise<boolean> {
  let report;
  try {
    report = parseReport(JSON.parse(await readFile(path, 'utf8')), path);
  } catch {
    return false;
  }
  // Second resolution: createdAt is written by a clock read inside the stage.
  if (Date.parse(report.createdAt) < startedAt - 1000) return false;
  const { schemaVersion: _v, kind, ...draft } = report;
  await writeReport(kind, { ...draft, stage: run } as never, path);
  return true;
}
