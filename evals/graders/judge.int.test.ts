import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../agent/src/index.js';
import { judgeFrom } from '../judge-model.js';
import { runEval } from '../runner.js';
import { startSimulator, type Simulator } from '../sim/index.js';
import { buildTask } from '../task.js';

// Judges over real HTTP: a second simulator plays the judge models (one cassette per behaviour, chosen by model
// name), the agent runs its simulated gold and faulty scripts, and the judge grader asks every judge.

const verdict = (pass: boolean): string => JSON.stringify({ pass, score: pass ? 1 : 0, reason: pass ? 'names Canberra' : 'wrong city' });
let dir: string;
let judges: Simulator;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lm-judge-'));
  const says = (id: string, content: string) => ({ id, source: 'authored' as const, threads: [{ agent: '*', turns: [{ content }] }] });
  judges = await startSimulator({ cassettes: [says('judge-yes', verdict(true)), says('judge-no', verdict(false)), says('judge-garbage', 'I think it is fine!! {{{')] });
});
afterAll(async () => {
  await judges.close();
  await rm(dir, { recursive: true, force: true });
});

async function run(judgeModels: string) {
  const config = loadConfig({ LOG_LEVEL: 'silent' });
  const deps = judgeFrom(loadConfig({ OPENAI_BASE_URL: judges.url, OPENAI_API_KEY: 'k', LLM_MODEL: 'unused', LOG_LEVEL: 'silent' }), judgeModels);
  const task = await buildTask({ dataset: 'datasets/regression', filter: '^fact-capital-australia ', repeat: 1, concurrency: 2, timeoutMs: 30_000, out: join(dir, 'r.json'), engine: 'plain' }, config, { deps });
  return (await runEval(task)).results;
}

it('a judge replying with something that is not a verdict makes the result a harness error, never a pass or a fail', async () => {
  const results = await run('cassette:judge-garbage');
  expect(results.length).toBeGreaterThan(0);
  for (const r of results) {
    expect(r.error?.code).toBe('EVL_ERR_GRADER_FAILED');
    expect(r.error?.message).toMatch(/not a verdict/);
    expect(r.pass).toBe(false);
  }
}, 60_000);

it('several judges: the majority decides, the agreement, votes, temperature 0 and seed are recorded, usage apart from the agent', async () => {
  const results = await run('cassette:judge-yes,cassette:judge-yes,cassette:judge-no');
  const gold = results.find((r) => r.variant === 'gold')!;
  const g = gold.graders.find((x) => x.id === 'judge')!;
  expect(g.pass).toBe(true);
  expect(g.judge).toMatchObject({ models: ['cassette:judge-yes', 'cassette:judge-yes', 'cassette:judge-no'], temperature: 0, seed: expect.any(Number), agreement: 2 / 3 });
  expect(g.judge!.votes.map((v) => v.pass)).toEqual([true, true, false]);
  expect(gold.judgeUsage?.calls).toBe(3);
}, 60_000);

it('can fail: with the majority against, the judge grader fails the answer', async () => {
  const results = await run('cassette:judge-no,cassette:judge-no,cassette:judge-yes');
  const g = results.find((r) => r.variant === 'gold')!.graders.find((x) => x.id === 'judge')!;
  expect(g).toMatchObject({ pass: false, judge: { agreement: 2 / 3 } });
}, 60_000);
