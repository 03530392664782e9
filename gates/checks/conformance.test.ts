import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ReportKindSchema } from '../../evals/report/index.js';
import { loadPolicy, type LoadedPolicy } from '../policy.js';
import { passingReports } from '../fixtures.test-support.js';
import { checks, listChecks } from './index.js';
import { CHECK_IDS, VerdictSchema } from './types.js';

let pr: LoadedPolicy;
beforeAll(async () => {
  pr = await loadPolicy('pr');
});

describe.each(listChecks().map((c) => [c.id, c] as const))('check %s', (id, check) => {
  it('is registered under its own id, reads one report kind, and says what it measures', () => {
    expect(checks[id].id).toBe(id);
    expect(ReportKindSchema.options).toContain(check.kind);
    expect(check.title.length).toBeGreaterThan(3);
    expect(check.description.length).toBeGreaterThan(10);
  });

  it('lives in its own file with JSDoc and an example', () => {
    const source = readFileSync(join(import.meta.dirname, `${id}.ts`), 'utf8');
    expect(source).toMatch(/\/\*\*[\s\S]*@example[\s\S]*\*\/\s*export const/);
  });

  it('accepts empty params (every param has a default) and rejects unknown ones', () => {
    expect(check.paramsSchema.safeParse({}).success).toBe(true);
    expect(check.paramsSchema.safeParse({ surelyNotAParam: 1 }).success).toBe(false);
  });

  it('passes the all-passing fixture under the pr policy, with a measured value and a reason', () => {
    const config = pr.policy.checks[id]!;
    const report = passingReports()[check.kind];
    const baseline = id === 'eval-baseline' ? passingReports().eval : undefined;
    const outcome = check.evaluate({ report, ...(baseline ? { baseline } : {}), config, params: check.paramsSchema.parse(config.params) } as never);
    expect(VerdictSchema.parse(outcome.verdict)).toBe('pass');
    expect(outcome.reason).not.toBe('');
    if (check.unit !== 'p') expect(typeof outcome.measured).toBe('number');
  });
});

it('the registry holds exactly CHECK_IDS, and both policies only name registered checks', async () => {
  expect(Object.keys(checks).sort()).toEqual([...CHECK_IDS].sort());
  const release = await loadPolicy('release');
  for (const p of [pr, release]) for (const id of Object.keys(p.policy.checks)) expect(CHECK_IDS).toContain(id);
});
