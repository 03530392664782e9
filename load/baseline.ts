import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import type { RunMeasurement } from './runner.js';

export const BaselineSchema = z.object({
  profile: z.string().min(1),
  createdAt: z.string().min(1),
  git: z.object({ sha: z.string(), dirty: z.boolean() }),
  runs: z.array(z.object({ p50Ms: z.number().min(0), p95Ms: z.number().min(0), p99Ms: z.number().min(0), rps: z.number().min(0), errors: z.number().int().min(0) })).min(1),
});
export type Baseline = z.infer<typeof BaselineSchema>;

export function baselinePath(dir: string, profile: string): string {
  return join(dir, `${profile}.json`);
}

/** Undefined when there is no baseline yet; a malformed file throws (it must be fixed, never silently replaced). */
export async function readBaseline(path: string): Promise<Baseline | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return undefined;
  }
  return BaselineSchema.parse(JSON.parse(text));
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
