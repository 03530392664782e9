import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildServer, loadConfig, type Config } from '../../agent/src/index.js';
import { loadDataset } from '../dataset.js';
import { resultId } from '../report/index.js';
import { runEval } from '../runner.js';
import { variantCassette, variantsOf } from '../scripts.js';
import { startSimulator, type Simulator } from '../sim/index.js';
import { buildTask } from '../task.js';
import { TARGET_IDS, type TargetId, type TargetSpec } from '../types.js';
import { targets } from './index.js';

// One suite over every target (the reference in-process one included): a tiny initializer per target puts the
// agent behind it with the simulator as its model, then the same assertions run.

const FILTER = '^(mem-name|fs-owner|edit-port) ';
const modelEnv = (sim: Simulator): Record<string, string> => ({ OPENAI_BASE_URL: sim.url, OPENAI_API_KEY: 'k', LLM_MODEL: 'conformance', LOG_LEVEL: 'silent', LLM_RETRY_MIN_MS: '0', LLM_RETRY_MAX_MS: '5', LLM_MAX_ATTEMPTS: '2' });

interface Setup {
  target: TargetSpec;
  /** How the target names a model that answers 429: the harness error must carry it. */
  modelRefused: RegExp;
  config: Config;
  close(): Promise<void>;
}

const initializers = {
  'in-process': async (sim) => ({ target: { kind: 'in-process' }, config: loadConfig(modelEnv(sim)), modelRefused: /429/, close: async () => undefined }),
  http: async (sim, dir) => {
    const root = join(dir, 'service-ws');
    const service = await buildServer(loadConfig({ ...modelEnv(sim), WORKSPACE_ROOT: root, APPROVAL_POLICY: 'auto', AUTH: 'none', LLM_BREAKER_FAILURES: '1000' }));
    const url = await service.listen({ host: '127.0.0.1', port: 0 });
    // The service answers the failed run with its error envelope; the harness error quotes it.
    return { target: { kind: 'http', url, workspaceRoot: root }, modelRefused: /HTTP 5\d\d: \{"error":\{"code":"AGT_ERR_/, config: loadConfig({ LLM_MODEL: 'conformance', LOG_LEVEL: 'silent' }), close: () => service.close() };
  },
} satisfies Record<TargetId, (sim: Simulator, dir: string) => Promise<Setup>>;

describe.each(TARGET_IDS.map((id) => [id]))('target %s', (id) => {
  let dir: string;
  let sim: Simulator;
  let setup: Setup;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), `lm-target-${id}-`));
    const cases = (await loadDataset('datasets/regression')).filter((c) => new RegExp(FILTER).test(`${c.id} `));
    sim = await startSimulator({ cassettes: cases.map((c) => variantCassette(c, variantsOf(c)[0]!, 'https://unused.invalid')) });
    setup = await initializers[id](sim, dir);
  }, 30_000);
  afterAll(async () => {
    await setup?.close();
    await sim?.close();
    await rm(dir, { recursive: true, force: true });
  });
  const task = (over: object = {}) =>
    buildTask({ dataset: 'datasets/regression', filter: FILTER, mode: 'live', repeat: 1, concurrency: 2, timeoutMs: 30_000, out: join(dir, 'r.json'), engine: 'plain', ...(setup.target.kind === 'http' ? { target: setup.target.url, targetWorkspaceRoot: setup.target.workspaceRoot } : {}), ...over }, setup.config);

  it('is registered under its id', () => {
    expect(targets[id].id).toBe(id);
  });

  it('runs every planned job, with its workspace fixtures, and the graders pass the recorded answers', async () => {
    sim.setFaults({});
    const { results, plan } = await runEval(await task());
    expect(results.map(resultId)).toEqual(plan);
    expect(plan).toHaveLength(3);
    expect(results.filter((r) => !r.pass).map((r) => `${r.caseId}: ${r.error?.message ?? r.graders.filter((g) => !g.pass).map((g) => g.reason).join('; ')}`)).toEqual([]);
    expect(results.find((r) => r.caseId === 'edit-port')!.graders.find((g) => g.id === 'workspace')).toMatchObject({ pass: true });
    expect(results.every((r) => (r.modelCalls ?? 0) >= 1)).toBe(true);
  }, 60_000);

  it('a model answering 429 after its retries is a harness error naming the cause, never a failure of the agent', async () => {
    sim.setFaults({ errorRate: 1, errorStatus: 429 });
    try {
      const { results } = await runEval(await task({ filter: '^mem-name ' }));
      expect(results).toHaveLength(1);
      expect(results[0]!.error?.message, results[0]!.error?.message).toMatch(setup.modelRefused);
      expect(results[0]!.failure).toBeUndefined();
    } finally {
      sim.setFaults({});
    }
  }, 60_000);
});
