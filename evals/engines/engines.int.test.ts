import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../agent/src/index.js';
import { resultId, type EvalResult } from '../report/index.js';
import { runEval } from '../runner.js';
import { buildTask } from '../task.js';
import { ENGINE_IDS, type EngineId, type Task } from '../types.js';
import { engines } from './index.js';

// One suite over every engine: a tiny initializer per engine (its task options), the same simulated cases and
// assertions for each.

const FILTER = '^(wx-paris-temp|fs-owner|fact-capital-australia) ';
const initializers = {
  promptfoo: (dir) => ({ engine: 'promptfoo', promptfooOutDir: join(dir, 'promptfoo') }),
  plain: () => ({ engine: 'plain' }),
} satisfies Record<EngineId, (dir: string) => Partial<Task>>;

describe.each(ENGINE_IDS.map((id) => [id]))('engine %s', (id) => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), `lm-engine-${id}-`));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  const task = async (extra: Partial<Task> = {}): Promise<Task> =>
    buildTask({ dataset: 'datasets/regression', filter: FILTER, repeat: 1, concurrency: 2, timeoutMs: 30_000, out: join(dir, 'r.json') }, loadConfig({ LOG_LEVEL: 'silent' }), { ...initializers[id](dir), ...extra });

  it('is registered under its id', () => {
    expect(engines[id].id).toBe(id);
  });

  it('runs every planned job once, gold passes, faulty variants are caught, and each result is reported as it finishes', async () => {
    const seen: [string, number, number][] = [];
    const { results, plan } = await runEval(await task({ onResult: (r, done, total) => seen.push([resultId(r), done, total]) }));
    expect(results.map(resultId)).toEqual(plan);
    expect(seen.map((s) => s[0]).sort()).toEqual([...plan].sort());
    expect(seen.map((s) => s[1])).toEqual(plan.map((_, i) => i + 1));
    const wrong = results.filter((r: EvalResult) => r.error || (r.variant === 'gold') !== r.pass);
    expect(wrong.map((r) => `${resultId(r)} ${r.error?.message ?? ''}`)).toEqual([]);
  }, 60_000);

  it('a grader that crashes makes that result a harness error (EVL_ERR_GRADER_FAILED); the other results are unaffected', async () => {
    const crash = async (): Promise<string> => {
      throw new Error('judge endpoint exploded');
    };
    const { results } = await runEval(await task({ deps: { judge: crash } }));
    const judged = results.filter((r) => r.caseId === 'fact-capital-australia');
    expect(judged.length).toBeGreaterThan(0);
    expect(judged.every((r) => r.error?.code === 'EVL_ERR_GRADER_FAILED' && !r.pass)).toBe(true);
    expect(results.filter((r) => r.caseId !== 'fact-capital-australia').every((r) => !r.error)).toBe(true);
  }, 60_000);

  it('skips the results a task marks done (resume, retry) and plans them all the same', async () => {
    const full = await runEval(await task());
    const skip = new Set(full.plan.slice(0, 2));
    const { results, plan } = await runEval(await task({ skip }));
    expect(plan).toEqual(full.plan);
    expect(results.map(resultId)).toEqual(full.plan.slice(2));
  }, 60_000);
});
