import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../agent/src/index.js';
import { runEvalCommand, type EvalCommandOptions } from './cli.js';

// Flakiness made visible, on real simulated runs: grep answers every other call with nothing, so with --repeat 4
// the case passes twice and fails twice. The summary lists it as flaky, pass^4 says 0, and against a clean
// baseline the Markdown summary calls it newly flaky with a link to a failing run's trajectory.

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lm-flaky-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});
const config = loadConfig({ LOG_LEVEL: 'silent' });
const opts = (name: string, over: Partial<EvalCommandOptions> = {}): EvalCommandOptions => ({ dataset: 'datasets/regression', filter: '^fs-grep-todos ', repeat: 4, concurrency: 1, timeoutMs: 30_000, out: join(dir, name, 'report.json'), engine: 'plain', json: true, ...over });
const EMPTY = 'No matches found.';

it('a case that passes on some repeats and fails on others is flaky, pass^k by C(c,k)/C(n,k), and flips against the baseline are listed with links', async () => {
  const base = await runEvalCommand(opts('base'), config);
  expect(base.report.summary.flaky).toEqual([]);
  expect(base.report.summary.perCase?.['fs-grep-todos gold']).toEqual({ runs: 4, passed: 4, passRate: 1 });

  let calls = 0;
  const { report, flips } = await runEvalCommand(opts('cand', { baseline: join(dir, 'base', 'report.json') }), config, {
    toolOverrides: { grep_search: () => (calls++ % 2 === 1 ? EMPTY : undefined) },
  });
  expect(report.summary.flaky).toContain('fs-grep-todos gold');
  expect(report.summary.perCase?.['fs-grep-todos gold']).toMatchObject({ runs: 4, passed: 2, passRate: 0.5 });
  // pass^4 of the gold group: C(2,4)/C(4,4) = 0; the floor shows it.
  expect(report.summary.passK).toMatchObject({ k: 4, rate: 0, floor: 0, floorCase: 'fs-grep-todos gold' });
  expect(flips?.newlyFlaky).toEqual(['fs-grep-todos gold']);

  const md = await readFile(join(dir, 'cand', 'summary.md'), 'utf8');
  expect(md).toContain('**Newly flaky** (1)');
  const link = /- fs-grep-todos gold — 2\/4 as expected — \[(fs-grep-todos gold#\d)\]\((trajectories\/[^)]+)\)/.exec(md);
  expect(link, md).not.toBeNull();
  const linked = JSON.parse(await readFile(join(dir, 'cand', link![2]!), 'utf8')) as { result: { pass: boolean }; trajectory: { toolCalls: { name: string; output: unknown }[] } };
  expect(linked.result.pass).toBe(false);
  expect(linked.trajectory.toolCalls.find((t) => t.name === 'grep_search')?.output).toBe(EMPTY);

  // Always broken: not flaky but regressed.
  const broken = await runEvalCommand(opts('broken', { baseline: join(dir, 'base', 'report.json') }), config, { toolOverrides: { grep_search: () => EMPTY } });
  expect(broken.flips).toMatchObject({ regressed: ['fs-grep-todos gold'], newlyFlaky: [] });
  expect(await readFile(join(dir, 'broken', 'summary.md'), 'utf8')).toContain('**Regressed** (1)');
  expect(existsSync(join(dir, 'broken', 'trajectories', 'fs-grep-todos.gold.0.json'))).toBe(true);
}, 120_000);
