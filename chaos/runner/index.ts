import { readdir } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { loadExperiment } from './experiment.js';
import { runExperiment, RunExperimentOptionsSchema, type ExperimentReport } from './run-experiment.js';

export {
  loadExperiment,
  observeWindowMs,
  parseGoDuration,
  pluralFor,
  retarget,
  type ChaosKind,
  type ChaosResource,
} from './experiment.js';
export {
  runExperiment,
  type ExperimentReport,
  type Observe,
  type ObserveContext,
  type RunEvent,
  type RunExperimentOptions,
  type RunOutcome,
} from './run-experiment.js';

export const EXPERIMENTS_DIR = fileURLToPath(new URL('../experiments/', import.meta.url));

export const RunClusterExperimentsOptionsSchema = RunExperimentOptionsSchema.extend({
  /** File stems (`agent-pod-kill`) or metadata names; empty means every experiment except Workflows. */
  experiments: z.array(z.string().min(1)).default([]),
  dir: z.string().min(1).default(EXPERIMENTS_DIR),
});
export type RunClusterExperimentsOptions = z.input<typeof RunClusterExperimentsOptionsSchema>;

export interface ClusterRunResult {
  results: ExperimentReport[];
  /** Every experiment completed and nothing was left behind. */
  ok: boolean;
}

/**
 * What `luminamind chaos --cluster [--kubeconfig F] [--experiment NAME…]` runs: the chosen experiments one
 * after another against a real cluster. The Workflow runs only when named, since it repeats the others.
 * @example await runClusterExperiments({ kubeconfig: '/home/sre/.kube/staging', namespace: 'luminamind-staging' })
 */
export async function runClusterExperiments(options: RunClusterExperimentsOptions = {}): Promise<ClusterRunResult> {
  const { experiments: wanted, dir, ...runOptions } = RunClusterExperimentsOptionsSchema.parse(options);
  const files = (await readdir(dir)).filter((name) => name.endsWith('.yaml')).sort();
  const catalogue = await Promise.all(
    files.map(async (name) => {
      const file = join(dir, name);
      return { file, stem: basename(name, '.yaml'), resource: await loadExperiment(file) };
    }),
  );

  const chosen =
    wanted.length === 0
      ? catalogue.filter((entry) => entry.resource.kind !== 'Workflow')
      : wanted.map((name) => {
          const entry = catalogue.find((e) => e.stem === name || e.resource.metadata.name === name);
          if (!entry) {
            const known = catalogue.map((e) => e.stem).join(', ');
            throw new Error(`unknown experiment "${name}"; known: ${known}`);
          }
          return entry;
        });

  const results: ExperimentReport[] = [];
  for (const entry of chosen) {
    const report = await runExperiment(entry.file, runOptions);
    results.push(report);
    // A fault left in place would poison every later measurement.
    if (!report.cleanedUp) break;
  }
  const ok = results.length === chosen.length && results.every((r) => r.outcome === 'completed' && r.cleanedUp);
  return { results, ok };
}
