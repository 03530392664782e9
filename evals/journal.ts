import { createHash } from 'node:crypto';
import { appendFile, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { EvalUsageError } from './errors.js';
import { EvalResultSchema, resultId, type EvalResult } from './report/index.js';
import type { Task } from './types.js';

// Results stream to `<report dir>/partial.jsonl` as they finish, so a run killed midway loses nothing it
// finished: `eval --resume` reads them back and runs only what is missing. The first line says which run the
// results belong to (a fingerprint of the task), so a resume never mixes two different runs.

export function journalPath(out: string): string {
  return join(dirname(out), 'partial.jsonl');
}

/** What makes two runs the same run: the planned cases, mode, repeat, engine, target, model and dataset. */
export function taskFingerprint(task: Task): string {
  const identity = {
    cases: task.cases.map((c) => c.id),
    mode: task.mode,
    repeat: task.repeat,
    engine: task.engine,
    target: task.target.kind === 'http' ? task.target.url : task.target.kind,
    model: task.config.llm.primary?.model ?? null,
    cassettes: task.cassettes ?? null,
  };
  return createHash('sha256').update(JSON.stringify(identity)).digest('hex').slice(0, 16);
}

export interface Journal {
  /** Results finished by an earlier, interrupted run of the same task (resume), else none. */
  readonly done: EvalResult[];
  append(result: EvalResult): void;
  /** Waits for every append to reach the file. */
  flush(): Promise<void>;
  /** The complete report is written: the partial results are no longer needed. */
  remove(): Promise<void>;
}

/** Reads the results of a partial file; a line cut by a kill (the last one) or of another shape is left out. */
async function readPartial(path: string, fingerprint: string): Promise<EvalResult[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    throw new EvalUsageError(`--resume: no partial results at ${path} (nothing to resume; run without --resume)`);
  }
  const [head, ...lines] = text.split('\n');
  let header: { fingerprint?: unknown } = {};
  try {
    header = JSON.parse(head ?? '') as { fingerprint?: unknown };
  } catch {
    // handled below
  }
  if (header.fingerprint !== fingerprint) throw new EvalUsageError(`--resume: ${path} belongs to another run (different cases, mode, repeat, engine, target or model); run without --resume to start over`);
  const byId = new Map<string, EvalResult>();
  for (const line of lines) {
    if (!line.trim()) continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      continue;
    }
    const r = EvalResultSchema.safeParse(value);
    if (r.success) byId.set(resultId(r.data), r.data);
  }
  return [...byId.values()];
}

/**
 * Opens the partial-results file of a run: fresh (the header written, earlier partial results replaced) or,
 * with `resume`, continuing an interrupted run of the same task.
 *
 * @example
 *   const journal = await openJournal(journalPath(out), taskFingerprint(task), { resume: true });
 *   task.skip = new Set(journal.done.map(resultId));
 */
export async function openJournal(path: string, fingerprint: string, opts: { resume?: boolean } = {}): Promise<Journal> {
  await mkdir(dirname(path), { recursive: true });
  const done = opts.resume ? await readPartial(path, fingerprint) : [];
  if (opts.resume) {
    // Rewrite the file without a line a kill may have cut, so appends start on a line of their own.
    await writeFile(path, [JSON.stringify({ fingerprint }), ...done.map((r) => JSON.stringify(r))].join('\n') + '\n');
  } else await writeFile(path, `${JSON.stringify({ fingerprint, startedAt: new Date().toISOString() })}\n`);
  let chain: Promise<void> = Promise.resolve();
  return {
    done,
    append(result) {
      chain = chain.then(() => appendFile(path, `${JSON.stringify(result)}\n`));
    },
    flush: () => chain,
    async remove() {
      await chain;
      await rm(path, { force: true });
    },
  };
}
