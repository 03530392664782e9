import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

/**
 * Progress of a long gate stage: counts and an estimate of the time left, instead of the stage's raw dots.
 *
 * A stage reports counts by printing lines `##progress <done>/<total> <unit>` (the tests do, through
 * gates/vitest-progress-reporter.ts); the gate consumes them and prints at most one status line per `everyMs`
 * (and always when a quarter more is done). Other output passes through, except lines of dots alone.
 * The estimate comes from the counts once a tenth is done, else from the previous run's duration of the same stage
 * (stored beside the evidence, `<reports>/gate/stage-times.json`), else from the counts so far.
 */

const PROGRESS_LINE = /^##progress (\d+)\/(\d+)(?: (.*))?$/;
const DOTS_ONLY = /^[\s.·xX*-]+$/;

export interface ProgressOptions {
  /** e.g. "[1/5] coverage". */
  label: string;
  /** How long this stage took last time, when known. */
  previousMs?: number | undefined;
  write: (line: string) => void;
  passThrough: (text: string) => void;
  now?: () => number;
  everyMs?: number;
}

/** "3m10s", "42s". */
export function formatEta(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  return s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s` : `${s}s`;
}

/** Time left: from the counts once a tenth is done, else from the previous run, else from the counts so far; null without either. */
export function estimateLeft(elapsedMs: number, counts: { done: number; total: number } | null, previousMs: number | undefined): number | null {
  const fraction = counts && counts.total > 0 ? counts.done / counts.total : null;
  const byCounts = fraction && fraction > 0 ? (elapsedMs / fraction) * (1 - fraction) : null;
  if (byCounts !== null && fraction! >= 0.1) return byCounts;
  if (previousMs !== undefined) return Math.max(0, previousMs - elapsedMs);
  return byCounts;
}

export interface StageProgress {
  /** Feed the child's output (stdout and stderr). */
  output(chunk: Buffer | string): void;
  /** Print a heartbeat line now if the interval has passed (call on a timer). */
  tick(): void;
  stop(): void;
}

export function stageProgress(opts: ProgressOptions): StageProgress {
  const now = opts.now ?? Date.now;
  const every = opts.everyMs ?? 30_000;
  const started = now();
  let counts: { done: number; total: number; unit: string } | null = null;
  let lastPrinted = started;
  let lastQuarter = 0;
  let partial = '';
  const status = () => {
    const elapsed = now() - started;
    const left = estimateLeft(elapsed, counts, opts.previousMs);
    const what = counts ? `${counts.unit} ${counts.done}/${counts.total}` : 'running';
    const eta = left === null ? 'no estimate yet' : `ETA ${formatEta(left)}${counts && counts.done / counts.total >= 0.1 ? '' : opts.previousMs !== undefined ? ' (from the previous run)' : ''}`;
    opts.write(`${opts.label}: ${what}… ${formatEta(elapsed)} elapsed, ${eta}`);
    lastPrinted = now();
  };
  const line = (text: string) => {
    const m = PROGRESS_LINE.exec(text.trim());
    if (m) {
      counts = { done: Number(m[1]), total: Number(m[2]), unit: m[3] ?? 'done' };
      const quarter = counts.total ? Math.floor((counts.done / counts.total) * 4) : 0;
      if (now() - lastPrinted >= every || quarter > lastQuarter) {
        lastQuarter = quarter;
        status();
      }
      return;
    }
    if (text.length && DOTS_ONLY.test(text)) return;
    opts.passThrough(`${text}\n`);
  };
  return {
    output(chunk) {
      const lines = (partial + chunk.toString()).split('\n');
      partial = lines.pop() ?? '';
      for (const l of lines) line(l);
    },
    tick() {
      if (now() - lastPrinted >= every) status();
    },
    stop() {
      if (partial) line(partial);
      partial = '';
    },
  };
}

/** Where the gate keeps each stage's last duration, beside the evidence. */
export const stageTimesPath = (reportsDir: string): string => join(reportsDir, 'gate', 'stage-times.json');

export async function readStageTimes(reportsDir: string): Promise<Record<string, number>> {
  try {
    const value = JSON.parse(await readFile(stageTimesPath(reportsDir), 'utf8')) as unknown;
    return value && typeof value === 'object' ? Object.fromEntries(Object.entries(value).filter(([, v]) => typeof v === 'number')) : {};
  } catch {
    return {};
  }
}

export async function recordStageTime(reportsDir: string, kind: string, durationMs: number): Promise<void> {
  const times = { ...(await readStageTimes(reportsDir)), [kind]: durationMs };
  await mkdir(dirname(stageTimesPath(reportsDir)), { recursive: true });
  await writeFile(stageTimesPath(reportsDir), `${JSON.stringify(times, null, 2)}\n`);
}
