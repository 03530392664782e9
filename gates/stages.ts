import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { defaultReportPath, parseReport, writeReport, type GitInfo, type ReportKind, type StageRun } from '../evals/report/index.js';
import { convertCoverage } from './coverage.js';

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
}

const MINUTE = 60_000;

export const STAGES: readonly Stage[] = [
  {
    kind: 'coverage',
    title: 'tests with coverage',
    script: 'test:coverage',
    args: (dir) => [
      '--coverage.reportOnFailure',
      `--coverage.reportsDirectory=${join(dir, 'coverage/raw')}`,
      '--reporter=dot',
      '--reporter=json',
      `--outputFile.json=${join(dir, 'coverage/raw/test-results.json')}`,
    ],
    timeoutMs: 25 * MINUTE,
    convert: (dir, git) =>
      convertCoverage({ summary: join(dir, 'coverage/raw/coverage-summary.json'), tests: join(dir, 'coverage/raw/test-results.json'), out: defaultReportPath('coverage', dir), git }),
  },
  { kind: 'security', title: 'security scan', script: 'security', subcommand: 'scan', args: (dir) => ['--out', defaultReportPath('security', dir)], timeoutMs: 15 * MINUTE },
  { kind: 'eval', title: 'eval (simulated unless a model is configured)', script: 'eval', subcommand: 'eval', args: (dir) => ['--out', defaultReportPath('eval', dir)], timeoutMs: 30 * MINUTE },
  { kind: 'load', title: 'load smoke', script: 'load', subcommand: 'load', args: (dir) => ['--out', defaultReportPath('load', dir)], timeoutMs: 10 * MINUTE },
  { kind: 'chaos', title: 'chaos drills', script: 'chaos', subcommand: 'chaos', args: (dir) => ['--out', defaultReportPath('chaos', dir)], timeoutMs: 15 * MINUTE },
];

/** Why a stage cannot run yet, or null when it can. */
export async function stageUnavailable(stage: Stage, subcommands: ReadonlySet<string>, packageJson = 'package.json'): Promise<string | null> {
  const pkg = JSON.parse(await readFile(packageJson, 'utf8')) as { scripts?: Record<string, string> };
  if (!pkg.scripts?.[stage.script]) return `no npm script "${stage.script}" yet`;
  if (stage.subcommand && !subcommands.has(stage.subcommand)) return `"luminamind ${stage.subcommand}" does not exist yet (npm run ${stage.script} would fail)`;
  return null;
}

/** How a stage is named in its envelope and the decision. */
export const stageCommand = (stage: Pick<Stage, 'script'>): string => `npm run ${stage.script}`;

/**
 * Runs a stage's npm script with its output on stderr (stdout stays the gate's), killed at its time limit.
 * `command` overrides what runs (tests give a fake runner); the record still names the stage's script.
 */
export function runStage(stage: Stage, reportsDir: string, command: readonly string[] = ['npm', 'run', '--silent', stage.script, '--', ...stage.args(reportsDir)]): Promise<StageRun> {
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(command[0]!, command.slice(1), { stdio: ['ignore', process.stderr, process.stderr], detached: true });
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
      resolve({ command: stageCommand(stage), exitCode, timedOut, durationMs: Date.now() - started, timeoutMs: stage.timeoutMs });
    };
    child.on('error', () => done(null));
    child.on('exit', (code) => done(code));
  });
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
