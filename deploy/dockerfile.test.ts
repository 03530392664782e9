import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SERVICE_BUNDLE, SERVICE_ENTRY } from '../load/service-bundle.js';

// No Docker engine or hadolint on these machines: the Dockerfile is checked by parsing it.
const ROOT = join(import.meta.dirname, '..');
const text = readFileSync(join(ROOT, 'deploy/Dockerfile'), 'utf8');

interface Instruction {
  readonly op: string;
  readonly args: string;
}
interface Stage {
  readonly name: string;
  readonly from: string;
  readonly body: Instruction[];
}

function parseDockerfile(source: string): Stage[] {
  const logical = source
    .replace(/\\\r?\n/g, ' ')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  const stages: Stage[] = [];
  for (const line of logical) {
    const [op = '', ...rest] = line.split(/\s+/);
    const args = rest.join(' ');
    if (op.toUpperCase() === 'FROM') {
      const m = args.match(/^(\S+)(?:\s+AS\s+(\S+))?$/i);
      stages.push({ from: m?.[1] ?? args, name: m?.[2] ?? String(stages.length), body: [] });
    } else if (stages.length > 0) {
      stages.at(-1)?.body.push({ op: op.toUpperCase(), args });
    }
  }
  return stages;
}

const stages = parseDockerfile(text);
const runtime = stages.at(-1) as Stage;
const all = (stage: Stage, op: string) => stage.body.filter((i) => i.op === op).map((i) => i.args);

describe('deploy/Dockerfile', () => {
  it('is multi-stage with a build and a runtime stage on the same Node 24 base', () => {
    expect(stages.map((s) => s.name)).toEqual(['build', 'runtime']);
    expect(text).toMatch(/^ARG NODE_IMAGE=node:24(\.\d+)*-bookworm-slim$/m);
    for (const s of stages) expect(s.from).toBe('${NODE_IMAGE}');
  });

  it('ships no node_modules and installs no package in the runtime: the bundle carries what the service imports', () => {
    const copies = all(runtime, 'COPY');
    expect(copies.filter((c) => c.includes('node_modules'))).toEqual([]);
    expect(all(runtime, 'RUN').join(' ')).not.toMatch(/\b(npm|npx|yarn|pnpm) /);
    for (const s of stages) expect(all(s, 'RUN').join(' '), s.name).not.toMatch(/npm install\b/);
  });

  it('ships the bundled service (dist/, from a type-checked build) and no TypeScript source', () => {
    const build = stages.find((s) => s.name === 'build') as Stage;
    expect(all(build, 'RUN').join(' ')).toMatch(/npx tsc --noEmit && npm run build/);
    const copies = all(runtime, 'COPY');
    expect(copies).toEqual(['--from=build /app/dist ./dist']);
    // Nothing comes straight from the build context, and no source folder ships.
    for (const c of copies) expect(c).toMatch(/^--from=build /);
    for (const dir of ['agent', 'bin', 'evals', 'gates', 'load', 'chaos']) expect(copies.map((c) => c.split(/\s+/).at(-1)), dir).not.toContain(`./${dir}`);
  });

  it('runs as a numeric non-root user with writable /workspace and /tmp volumes', () => {
    const users = all(runtime, 'USER');
    expect(users).toHaveLength(1);
    const [uid, gid] = (users[0] ?? '').split(':');
    expect(Number(uid)).toBeGreaterThan(0);
    expect(Number(gid)).toBeGreaterThan(0);
    expect(all(runtime, 'VOLUME')).toEqual(['["/workspace", "/tmp"]']);
    expect(all(runtime, 'ENV').join(' ')).toMatch(/WORKSPACE_ROOT=\/workspace/);
  });

  it('exposes 8000 and 9090, checks /health and starts the service', () => {
    expect(all(runtime, 'EXPOSE')).toEqual(['8000 9090']);
    const health = all(runtime, 'HEALTHCHECK');
    expect(health).toHaveLength(1);
    expect(health[0]).toMatch(/--interval=\d+s .*CMD .*127\.0\.0\.1:8000\/health/);
    // The file the image runs is the one `npm run build` writes from the service entry, and what start:prod runs.
    // The heap cap is the Deployment's (a plain `docker run` is bounded the same way).
    const deploymentHeap = /exec node --max-old-space-size=(\d+) dist\//.exec(readFileSync(join(ROOT, 'deploy/k8s/base/deployment.yaml'), 'utf8'))?.[1];
    expect(deploymentHeap).toMatch(/^\d+$/);
    expect(all(runtime, 'ENTRYPOINT')).toEqual([`["node", "--max-old-space-size=${deploymentHeap}", "dist/${SERVICE_BUNDLE}", "serve"]`]);
    expect(SERVICE_ENTRY).toBe('bin/service.ts');
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    expect(pkg.scripts['start:prod']).toBe(`node dist/${SERVICE_BUNDLE} serve`);
    expect(pkg.scripts.build).toBe('tsx bin/build-service.ts');
    expect(all(runtime, 'ENV').join(' ')).toMatch(/HOST=0\.0\.0\.0 .*PORT=8000 .*METRICS_PORT=9090/);
  });
});

describe('.dockerignore', () => {
  const ignore = readFileSync(join(ROOT, '.dockerignore'), 'utf8').split('\n').map((l) => l.trim());
  it('keeps secrets, git history, host node_modules and builds, and reports out of the build context', () => {
    for (const entry of ['.env', '.env.*', '**/node_modules', '.git', 'reports', 'coverage', 'dist']) expect(ignore, entry).toContain(entry);
  });
});
