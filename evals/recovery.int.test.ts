import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../agent/src/index.js';
import { runCliInProcess } from '../bin/run-cli.test-support.js';
import { runEvalCommand, type EvalCommandOptions } from './cli.js';
import { integrityProblems, readReport, resultId, type EvalResult } from './report/index.js';
import { startSimulator } from './sim/index.js';
import { variantCassette, variantsOf } from './scripts.js';
import { loadDataset } from './dataset.js';

// Errors are not failures, and a run can be recovered: a real `luminamind eval` killed midway (SIGKILL) and
// resumed, and a report whose harness errors are retried to completion.

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lm-recovery-'));
  // A killed child cannot clean its temp folders (fixture CA, workspace): it makes them under ours.
  await mkdir(join(dir, 'tmp'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

// No model in the environment: simulated mode, the same in both processes.
const cliEnv = (): Record<string, string> => ({ PATH: process.env.PATH ?? '', LOG_LEVEL: 'silent', HOME: process.env.HOME ?? '', TMPDIR: join(dir, 'tmp') });
const FILTER = '^(wx-|fs-)';

function evalProcess(out: string, extra: string[] = []) {
  return spawn(process.execPath, ['bin/luminamind', 'eval', '--engine', 'plain', '--filter', FILTER, '--concurrency', '1', '--json', '--out', out, ...extra], { env: cliEnv(), stdio: ['ignore', 'ignore', 'pipe'] });
}

const partialResults = async (path: string): Promise<EvalResult[]> =>
  (await readFile(path, 'utf8'))
    .split('\n')
    .slice(1)
    .filter((l) => l.trim())
    .flatMap((l) => {
      try {
        return [JSON.parse(l) as EvalResult];
      } catch {
        return []; // the line the kill cut
      }
    });

describe('eval --resume', () => {
  it('continues a run killed with SIGKILL midway: every planned result once, none lost, none run twice', async () => {
    const out = join(dir, 'killed', 'report.json');
    const partial = join(dir, 'killed', 'partial.jsonl');
    const first = evalProcess(out);
    // Kill it once a few results have reached the disk (polling the file the run streams to, not a clock).
    while (!existsSync(partial) || (await partialResults(partial)).length < 4) {
      if (first.exitCode !== null) throw new Error('the run finished before it could be killed');
      await new Promise((r) => setTimeout(r, 50));
    }
    first.kill('SIGKILL');
    await once(first, 'exit');
    expect(existsSync(out)).toBe(false);
    const before = await partialResults(partial);
    const second = evalProcess(out, ['--resume']);
    let stderr = '';
    second.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const [code] = (await once(second, 'exit')) as [number];
    expect(code, stderr).toBe(0);
    const report = await readReport(out, 'eval');
    const ids = report.results.map(resultId);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toEqual(report.plan);
    expect(integrityProblems(report)).toEqual([]);
    expect(report.config.resumed).toBe(before.length);
    // The killed run's results were carried over as they were, not run again.
    for (const r of before) expect(report.results.find((x) => resultId(x) === resultId(r))).toEqual(r);
    expect(report.summary.harnessErrorRate).toBe(0);
    expect(existsSync(partial)).toBe(false);
  }, 180_000);

  // The refusals need no process boundary (exit code 2 comes from main()): in-process, not two more CLI loads.
  it('refuses --resume with no partial results, or with another run\'s (exit 2)', async () => {
    const resume = (out: string) => runCliInProcess(['eval', '--engine', 'plain', '--filter', FILTER, '--concurrency', '1', '--json', '--out', out, '--resume'], { LOG_LEVEL: 'silent', TMPDIR: join(dir, 'tmp') });
    const none = await resume(join(dir, 'none', 'report.json'));
    expect(none.code, none.stderr).toBe(2);
    expect(none.stderr).toMatch(/resume/i);
    await mkdir(join(dir, 'other'), { recursive: true });
    await writeFile(join(dir, 'other', 'partial.jsonl'), '{"fingerprint":"another-run"}\n');
    const other = await resume(join(dir, 'other', 'report.json'));
    expect(other.code).toBe(2);
    expect(other.stderr).toMatch(/belongs to another run/);
  }, 60_000);
});

describe('eval --retry-errors', () => {
  it('re-runs only the errored results, keeps an original until its retry succeeds, and ends with a complete report', async () => {
    const filter = '^(mem-name|fs-owner|edit-port) ';
    const cases = (await loadDataset('datasets/regression')).filter((c) => new RegExp(filter).test(`${c.id} `));
    const sim = await startSimulator({ cassettes: cases.map((c) => variantCassette(c, variantsOf(c)[0]!, 'https://unused.invalid')) });
    try {
      const config = loadConfig({ OPENAI_BASE_URL: sim.url, OPENAI_API_KEY: 'k', LLM_MODEL: 'retry', LOG_LEVEL: 'silent', LLM_RETRY_MIN_MS: '0', LLM_RETRY_MAX_MS: '5', LLM_MAX_ATTEMPTS: '2', LLM_BREAKER_FAILURES: '1000' });
      const opts = (out: string, over: Partial<EvalCommandOptions> = {}): EvalCommandOptions => ({ mode: 'live', engine: 'plain', dataset: 'datasets/regression', filter, repeat: 1, concurrency: 1, timeoutMs: 30_000, out, json: true, ...over });
      // The model is down for the first run: every result is a harness error (not a failure of the agent).
      sim.setFaults({ errorRate: 1, errorStatus: 503 });
      const first = await runEvalCommand(opts(join(dir, 'retry', 'r1.json')), config);
      expect(first.report.results.every((r) => r.error && !r.failure)).toBe(true);
      expect(first.exitCode).toBe(1);
      // It comes back, but fails the next run's first job again (its two attempts): that original stays.
      sim.setFaults({ failNext: 2 });
      const second = await runEvalCommand(opts(join(dir, 'retry', 'r2.json'), { retryErrors: join(dir, 'retry', 'r1.json') }), config);
      const stillErrored = second.report.results.filter((r) => r.error);
      expect(stillErrored).toHaveLength(1);
      expect(stillErrored[0]).toEqual(first.report.results.find((r) => resultId(r) === resultId(stillErrored[0]!)));
      expect(second.report.results.map(resultId)).toEqual(first.report.plan);
      // The last retry runs only that one and completes the report.
      const seen: string[] = [];
      const third = await runEvalCommand(opts(join(dir, 'retry', 'r3.json'), { retryErrors: join(dir, 'retry', 'r2.json') }), config, { onResult: (r) => seen.push(resultId(r)) });
      expect(seen).toEqual([resultId(stillErrored[0]!)]);
      expect(third.report.results.filter((r) => r.error)).toEqual([]);
      expect(third.report.results.map(resultId)).toEqual(first.report.plan);
      expect(integrityProblems(third.report)).toEqual([]);
      expect(third.exitCode).toBe(0);
    } finally {
      await sim.close();
    }
  }, 120_000);
});
