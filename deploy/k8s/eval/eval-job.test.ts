import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Job } from 'kubernetes-models/batch/v1/Job';
import { PersistentVolumeClaim } from 'kubernetes-models/v1/PersistentVolumeClaim';
import { parseAllDocuments } from 'yaml';
import { shardOption } from '../../../evals/report/index.js';

// The sharded-eval Indexed Job example: valid against the Kubernetes schemas, and its shards cover the suite once.

const file = join(import.meta.dirname, 'sharded-eval-job.yaml');
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const docs = parseAllDocuments(readFileSync(file, 'utf8')).map((d) => d.toJSON() as any);
const job = docs.find((d) => d.kind === 'Job');
const pvc = docs.find((d) => d.kind === 'PersistentVolumeClaim');

describe('deploy/k8s/eval/sharded-eval-job.yaml', () => {
  it('validates against the Kubernetes schemas (Job, PersistentVolumeClaim)', () => {
    expect(() => new Job(job).validate()).not.toThrow();
    expect(() => new PersistentVolumeClaim(pvc).validate()).not.toThrow();
  });

  it('can fail: the schema check rejects a broken Job', () => {
    expect(() => new Job({ ...job, spec: { ...job.spec, completionMode: 'Sharded' } }).validate()).toThrow();
  });

  it('is an Indexed Job with one pod per shard, each running shard index+1 of the same count, against the service over HTTP', () => {
    expect(job.spec).toMatchObject({ completionMode: 'Indexed' });
    expect(job.spec.template.spec.restartPolicy).toBe('Never');
    expect(job.spec.completions).toBe(job.spec.parallelism);
    const c = job.spec.template.spec.containers[0];
    const env = Object.fromEntries(c.env.map((e: { name: string; value: string }) => [e.name, e.value]));
    expect(Number(env.SHARDS)).toBe(job.spec.completions);
    const script: string = c.args[0];
    expect(script).toContain('shard="$((JOB_COMPLETION_INDEX + 1))/$SHARDS"');
    expect(script).toMatch(/--target "\$TARGET_URL"/);
    expect(script).toMatch(/--resume/);
    expect(script).toMatch(/--retry-errors/);
    expect(env.TARGET_URL).toMatch(/^http:\/\/luminamind\./);
    // Every index maps to a valid shard, and the shards are 1..n exactly once.
    const shards = Array.from({ length: job.spec.completions }, (_, i) => shardOption(`${i + 1}/${env.SHARDS}`));
    expect(shards.map((s) => s.index)).toEqual(Array.from({ length: job.spec.completions }, (_, i) => i + 1));
  });

  it('keeps the API key out of the manifest (a mounted Secret file) and runs as non-root', () => {
    const spec = job.spec.template.spec;
    expect(JSON.stringify(job)).not.toMatch(/sk-|apiKey|API_KEY=/);
    expect(spec.volumes.find((v: { name: string }) => v.name === 'api-key').secret.secretName).toBe('luminamind-eval-api-key');
    expect(spec.securityContext).toMatchObject({ runAsNonRoot: true });
    expect(spec.containers[0].args[0]).toContain('--api-key-file /var/run/luminamind-eval/api-key');
  });

  it('is referenced by no kustomization (an example, never deployed with the service)', () => {
    const dirs = ['base', 'overlays/staging', 'overlays/prod'].map((d) => join(import.meta.dirname, '..', d));
    for (const d of dirs) for (const f of readdirSync(d).filter((x) => x === 'kustomization.yaml')) expect(readFileSync(join(d, f), 'utf8')).not.toMatch(/eval/);
  });
});
