import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../agent/src/index.js';
import { runEval } from '../runner.js';
import { buildTask } from '../task.js';

// Real runs against the simulator: each trajectory mode has a case whose gold script passes and whose faulty
// script (same answer, a path the mode rejects) is caught by the trajectory grader alone.

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lm-traj-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

it.each(['strict', 'unordered', 'superset', 'subset'])('trajectory match %s: gold passes, the faulty path fails on the trajectory grader only', async (mode) => {
  const task = await buildTask({ dataset: 'datasets/regression', filter: `^traj-${mode}-`, repeat: 1, concurrency: 2, timeoutMs: 30_000, out: join(dir, 'r.json'), engine: 'plain' }, loadConfig({ LOG_LEVEL: 'silent' }));
  const { results } = await runEval(task);
  expect(results).toHaveLength(2);
  const gold = results.find((r) => r.variant === 'gold')!;
  const faulty = results.find((r) => r.variant.startsWith('faulty:'))!;
  expect(gold.error ?? gold.graders.filter((g) => !g.pass)).toEqual([]);
  expect(gold.pass).toBe(true);
  expect(faulty.error).toBeUndefined();
  expect(faulty.pass).toBe(false);
  expect(faulty.graders.filter((g) => !g.pass).map((g) => g.id)).toEqual(['trajectory']);
}, 60_000);
