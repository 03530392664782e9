import { gradeExecution } from '../grading.js';
import type { EvalResult } from '../report/index.js';
import type { Engine } from '../types.js';

/** Runs `fn` over `items` with at most `concurrency` at a time. */
async function pool<T>(items: readonly T[], concurrency: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const workers = Array.from({ length: Math.max(1, Math.min(concurrency, items.length)) }, async () => {
    while (next < items.length) await fn(items[next++]!);
  });
  await Promise.all(workers);
}

/** The plain engine: this process's own loop — execute, grade, clean up — with no engine library in between. */
export const plainEngine = {
  id: 'plain',
  description: 'the in-process loop: execute, grade, clean up',
  async run({ task, jobs, execute, deps, onResult }) {
    const results: EvalResult[] = [];
    await pool(jobs, task.concurrency, async (job) => {
      const x = await execute(job);
      try {
        const result = await gradeExecution(x, deps);
        results.push(result);
        onResult(result);
      } finally {
        await x.cleanup();
      }
    });
    return results;
  },
} satisfies Engine;
