import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildServer, loadConfig } from '../agent/src/index.js';
import { runEvalCommand, type EvalCommandOptions } from './cli.js';
import { loadDataset } from './dataset.js';
import { integrityProblems, readReport, resultId, writeReport, type EvalReport } from './report/index.js';
import { variantCassette, variantsOf } from './scripts.js';
import { startSimulator } from './sim/index.js';

// The harness end to end: the whole simulated suite (timed), a broken tool, --baseline, and live mode.

let dir: string;
const simulatedConfig = loadConfig({ LOG_LEVEL: 'silent' });
const options = (over: Partial<EvalCommandOptions>): EvalCommandOptions => ({
  repeat: 1,
  concurrency: 4,
  out: join(dir, 'report.json'),
  dataset: 'datasets/regression',
  timeoutMs: 60_000,
  json: true,
  ...over,
});

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lm-eval-test-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('luminamind eval, simulated', () => {
  it('runs all 100 cases under 2 minutes: gold passes 100%, faulty variants caught ≥95%, report written', async () => {
    const started = Date.now();
    const { exitCode, report } = await runEvalCommand(options({ out: join(dir, 'full.json') }), simulatedConfig);
    const seconds = (Date.now() - started) / 1000;
    expect(seconds).toBeLessThan(120);
    expect(report.mode).toBe('simulated');
    expect(report.summary.cases).toBeGreaterThanOrEqual(100);
    expect(report.summary.harnessErrorRate).toBe(0);
    expect(report.summary.specificity).toBe(1);
    expect(report.summary.sensitivity).toBeGreaterThanOrEqual(0.95);
    expect(exitCode).toBe(0);
    const onDisk = await readReport(join(dir, 'full.json'), 'eval');
    expect(onDisk.results).toHaveLength(report.summary.runs);
    // The plan names every result the run set out to produce, so the gate takes this report as whole evidence.
    expect(onDisk.plan).toEqual(onDisk.results.map(resultId));
    expect(integrityProblems(onDisk)).toEqual([]);
    expect(onDisk.summary.perGrader?.judge).toMatchObject({ runs: 0, skipped: 4 });
    expect(onDisk.config).toMatchObject({ engine: 'promptfoo' });
    // promptfoo ran the suite: its own outputs sit beside ours, and agree on every verdict.
    const pf = JSON.parse(await readFile(join(dir, 'promptfoo/results.json'), 'utf8')) as { results: { stats: { successes: number; failures: number } } };
    expect(pf.results.stats.successes).toBe(report.results.filter((r) => r.pass).length);
    expect(pf.results.stats.failures).toBe(report.results.filter((r) => !r.pass).length);
    expect(await readFile(join(dir, 'promptfoo/results.html'), 'utf8')).toContain('<html');
    const junit = await readFile(join(dir, 'junit.xml'), 'utf8');
    expect(junit).toContain('<testsuite name="eval.web-research" tests="20" failures="0" errors="0">');
  }, 180_000);
});

const GREP_FILTER = '^(fs-grep|plan-fix|plan-audit|mem-todo|fs-owner|fs-db-pool)';
const GREP_GOLD = ['fs-grep-todos', 'fs-grep-tax-rate', 'plan-fix-and-verify', 'plan-audit-todos', 'mem-todo-followup'];

describe('a broken tool', () => {
  let baseline: EvalReport;
  beforeAll(async () => {
    ({ report: baseline } = await runEvalCommand(options({ filter: GREP_FILTER, out: join(dir, 'grep-base.json') }), simulatedConfig));
  }, 60_000);

  it('grep returning nothing makes exactly the cases that rely on it fail, and --baseline calls it out', async () => {
    expect(baseline.summary.specificity).toBe(1);
    const { report, comparison, exitCode } = await runEvalCommand(
      options({ filter: GREP_FILTER, out: join(dir, 'grep-broken.json'), baseline: join(dir, 'grep-base.json') }),
      simulatedConfig,
      { toolOverrides: { grep_search: (args) => `No matches found for '${String(args.query)}' in '${String(args.directory ?? '.')}'.` } },
    );
    const failedGold = report.results.filter((r) => r.variant === 'gold' && !r.pass).map((r) => r.caseId);
    expect(failedGold.sort()).toEqual([...GREP_GOLD].sort());
    expect(report.results.filter((r) => r.caseId === 'fs-owner' || r.caseId === 'fs-db-pool').every((r) => r.variant !== 'gold' || r.pass)).toBe(true);
    // 5 regressed, 0 improved: p = 2 · 2^-5 = 0.0625.
    expect(comparison).toMatchObject({ verdict: 'no significant change', improved: [] });
    expect(comparison!.regressed.sort()).toEqual(GREP_GOLD.map((id) => `${id} gold#0`).sort());
    expect(comparison!.pValue).toBeCloseTo(0.0625, 12);
    expect(exitCode).toBe(1);
  }, 60_000);

  it.each([
    // [baseline results flipped to "not as expected", extra regressions from the broken grep, expected p, verdict]
    [6, false, 2 / 64, 'improved'], // b=0, c=6: p = 0.03125
    [1, true, (2 * (1 + 6)) / 64, 'no significant change'], // b=5, c=1: p = 0.21875
    [0, true, 2 / 32, 'no significant change'], // b=5, c=0: p = 0.0625
  ] as const)('--baseline with %i flipped baseline result(s) (broken grep: %s) gives p = %f', async (flips, broken, p, verdict) => {
    const flipped = structuredClone(baseline);
    const controls = flipped.results.filter((r) => !GREP_GOLD.includes(r.caseId) || r.variant !== 'gold');
    expect(controls.length).toBeGreaterThanOrEqual(flips);
    for (const r of controls.slice(0, flips)) r.pass = r.variant.startsWith('faulty:');
    const file = join(dir, `base-${flips}-${broken}.json`);
    await writeReport('eval', flipped, file);
    const { comparison } = await runEvalCommand(
      options({ filter: GREP_FILTER, out: join(dir, `cand-${flips}.json`), baseline: file }),
      simulatedConfig,
      { ...(broken ? { toolOverrides: { grep_search: () => 'No matches found.' } } : {}) },
    );
    expect(comparison!.pValue).toBeCloseTo(p, 12);
    expect(comparison!.verdict).toBe(verdict);
    expect(comparison!.improved).toHaveLength(flips);
  }, 60_000);
});

describe('live mode against an OpenAI-compatible endpoint', () => {
  it('runs unchanged with OPENAI_BASE_URL pointing at a simulator started as a live endpoint, records with --record, and replays', async () => {
    const cases = (await loadDataset('datasets/regression')).filter((c) => /^(mem-|fs-read|fs-owner)/.test(c.id));
    const endpoint = await startSimulator({ cassettes: cases.map((c) => variantCassette(c, variantsOf(c)[0]!, 'https://unused.invalid')) });
    try {
      const config = loadConfig({ OPENAI_BASE_URL: endpoint.url, OPENAI_API_KEY: 'live-key', LLM_MODEL: 'sim-live', LOG_LEVEL: 'silent', LLM_RETRY_MIN_MS: '0' });
      const recordTo = join(dir, 'recorded.yaml');
      const { report, exitCode } = await runEvalCommand(options({ filter: '^(mem-|fs-read|fs-owner)', out: join(dir, 'live.json'), record: recordTo, engine: 'plain' }), config);
      expect(report.mode).toBe('live');
      expect(report.config).toMatchObject({ engine: 'plain' });
      expect(report.model).toBe('sim-live');
      expect(report.results.every((r) => r.variant === 'live')).toBe(true);
      expect(report.results.filter((r) => !r.pass).map((r) => `${r.caseId}: ${r.error?.message ?? r.graders.filter((g) => !g.pass).map((g) => g.reason)}`)).toEqual([]);
      expect(report.summary.specificity).toBeUndefined();
      expect(exitCode).toBe(0);
      expect(await readFile(recordTo, 'utf8')).toContain('Ada Okafor');
      // replay: the recorded cassette alone reproduces the live run, with the endpoint gone.
      await endpoint.close();
      const replay = await runEvalCommand(options({ filter: '^(mem-|fs-read|fs-owner)', out: join(dir, 'replay.json'), mode: 'replay', cassettes: [recordTo] }), loadConfig({ LOG_LEVEL: 'silent' }));
      expect(replay.report.mode).toBe('replay');
      expect(replay.report.results.filter((r) => !r.pass).map((r) => `${r.caseId}: ${r.error?.message ?? ''}`)).toEqual([]);
    } finally {
      await endpoint.close();
    }
  }, 60_000);
});

describe('the deployed service as the target (HTTP)', () => {
  it('runs the same cases through POST /v1/chat, with fixtures written into the service workspace root', async () => {
    const cases = (await loadDataset('datasets/regression')).filter((c) => /^(mem-(name|config|todo)|fs-(owner|grep-todos)|edit-port)/.test(c.id));
    const endpoint = await startSimulator({ cassettes: cases.map((c) => variantCassette(c, variantsOf(c)[0]!, 'https://unused.invalid')) });
    const root = join(dir, 'service-ws');
    const service = await buildServer(
      loadConfig({ OPENAI_BASE_URL: endpoint.url, OPENAI_API_KEY: 'k', LLM_MODEL: 'svc-model', WORKSPACE_ROOT: root, APPROVAL_POLICY: 'auto', AUTH: 'none', LOG_LEVEL: 'silent', LLM_RETRY_MIN_MS: '0' }),
    );
    const url = await service.listen({ host: '127.0.0.1', port: 0 });
    try {
      const { report } = await runEvalCommand(
        options({ filter: '^(mem-(name|config|todo)|fs-(owner|grep-todos)|edit-port)', out: join(dir, 'http.json'), mode: 'live', target: url, targetWorkspaceRoot: root }),
        loadConfig({ LLM_MODEL: 'svc-model', LOG_LEVEL: 'silent' }),
      );
      expect(report.results).toHaveLength(6);
      expect(report.config).toMatchObject({ target: url });
      expect(report.results.filter((r) => !r.pass).map((r) => `${r.caseId}: ${r.error?.message ?? r.graders.filter((g) => !g.pass).map((g) => g.reason).join('; ')}`)).toEqual([]);
      expect(report.results.find((r) => r.caseId === 'edit-port')!.graders.find((g) => g.id === 'workspace')).toMatchObject({ pass: true });
    } finally {
      await service.close();
      await endpoint.close();
    }
  }, 60_000);
});
