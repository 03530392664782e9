import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Baseline } from '../evals/report/index.js';
import type { RunMeasurement } from './runner.js';

export function baselinePath(dir: string, profile: string): string {
  return join(dir, `${profile}.json`);
}

export async function writeBaseline(path: string, profile: string, runs: readonly RunMeasurement[], git: Baseline['git']): Promise<Baseline> {
  const baseline: Baseline = {
    profile,
    createdAt: new Date().toISOString(),
    git,
    runs: runs.map((r) => ({ p50Ms: r.p50Ms, p95Ms: r.p95Ms, p99Ms: r.p99Ms, rps: r.rps, errors: r.errors })),
  };
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, `${JSON.stringify(baseline, null, 2)}\n`);
  return baseline;
}
