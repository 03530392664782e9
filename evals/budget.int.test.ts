import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../agent/src/index.js';
import { loadDataset } from './dataset.js';
import { runEval } from './runner.js';
import { variantCassette, variantsOf } from './scripts.js';
import { startSimulator } from './sim/index.js';
import { buildTask } from './task.js';
import { ENGINE_IDS } from './types.js';

// Budgets on real runs against the simulator: the runaway variant is stopped at its 4th model call and fails
// with kind `budget`; a slow model is stopped at the latency budget; neither is a harness error.

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lm-budget-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});
const base = { dataset: 'datasets/regression', repeat: 1, concurrency: 2, timeoutMs: 30_000, json: true } as const;

describe.each(ENGINE_IDS.map((e) => [e]))('budgets (engine %s)', (engine) => {
  it('a run over its model-call budget is stopped and fails with kind budget; the gold run within it passes', async () => {
    const task = await buildTask({ ...base, engine, filter: '^budget-read-port ', out: join(dir, engine, 'r.json') }, loadConfig({ LOG_LEVEL: 'silent' }));
    expect(task.cases[0]!.budget).toEqual({ modelCalls: 3, latencyMs: 30_000 }); // the file's defaults under the case's own
    const { results } = await runEval(task);
    const gold = results.find((r) => r.variant === 'gold')!;
    const runaway = results.find((r) => r.variant === 'faulty:runaway')!;
    expect(gold).toMatchObject({ pass: true });
    expect(gold.graders.find((g) => g.id === 'budget')).toMatchObject({ pass: true });
    expect(runaway.error).toBeUndefined();
    expect(runaway).toMatchObject({ pass: false, failure: { kind: 'budget' } });
    expect(runaway.failure!.reason).toMatch(/model calls 4 > budget 3/);
  }, 60_000);
});

it('can fail: without the budget the same runaway run is not stopped and passes its other graders', async () => {
  const task = await buildTask({ ...base, engine: 'plain', filter: '^budget-read-port ', out: join(dir, 'nobudget', 'r.json') }, loadConfig({ LOG_LEVEL: 'silent' }));
  const { results } = await runEval({ ...task, cases: task.cases.map(({ budget: _b, ...c }) => c) });
  expect(results.find((r) => r.variant === 'faulty:runaway')).toMatchObject({ pass: true });
}, 60_000);

it('a model slower than the latency budget stops the run: the agent fails with kind budget, not a harness error', async () => {
  const cases = (await loadDataset('datasets/regression')).filter((c) => c.id === 'mem-name');
  const sim = await startSimulator({ cassettes: cases.map((c) => variantCassette(c, variantsOf(c)[0]!, 'https://unused.invalid')), faults: { latencyMs: 5_000 } });
  try {
    const config = loadConfig({ OPENAI_BASE_URL: sim.url, OPENAI_API_KEY: 'k', LLM_MODEL: 'slow', LOG_LEVEL: 'silent' });
    const task = await buildTask({ ...base, mode: 'live', engine: 'plain', filter: '^mem-name ', out: join(dir, 'slow', 'r.json') }, config);
    const { results } = await runEval({ ...task, cases: task.cases.map((c) => ({ ...c, budget: { latencyMs: 300 } })) });
    expect(results[0]!.error).toBeUndefined();
    expect(results[0]).toMatchObject({ pass: false, failure: { kind: 'budget' } });
    expect(results[0]!.failure!.reason).toMatch(/latency/);
  } finally {
    await sim.close();
  }
}, 60_000);
