import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';

// The production install (npm ci --omit=dev) has `dependencies` only, so every package the service entry can import
// at run time, static or lazy, must be one of them (the image carries none: `npm run build` bundles them, and refuses
// a dev-only one too, bin/service-bundle.int.test.ts). esbuild walks the same import graph node will (type-only
// imports are gone, literal import() calls are followed).

const ROOT = join(import.meta.dirname, '..');
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string>; devDependencies: Record<string, string> };

/** Package names (node: built-ins left out) that the import graph of `entry` reaches. */
async function packagesReached(entry: string): Promise<string[]> {
  const result = await build({ entryPoints: [join(ROOT, entry)], bundle: true, platform: 'node', format: 'esm', packages: 'external', write: false, metafile: true, logLevel: 'silent', outdir: 'unused' });
  const names = new Set<string>();
  for (const input of Object.values(result.metafile.inputs)) {
    for (const imported of input.imports) {
      if (!imported.external || imported.path.startsWith('node:')) continue;
      const parts = imported.path.split('/');
      names.add(imported.path.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!);
    }
  }
  return [...names].sort();
}

const notProduction = (names: string[]) => names.filter((name) => !(name in pkg.dependencies));

describe('the service import graph', () => {
  it('bin/service.ts (bundled to dist/service.mjs) reaches production dependencies only', async () => {
    const reached = await packagesReached('bin/service.ts');
    expect(reached).toContain('fastify');
    expect(notProduction(reached)).toEqual([]);
  }, 60_000);

  it('can fail: the full CLI, which reaches the harness, is flagged for its dev-only packages', async () => {
    const outside = notProduction(await packagesReached('bin/cli.ts'));
    expect(outside).toEqual(expect.arrayContaining(['promptfoo', 'selfsigned', 'yaml']));
    expect(outside.every((name) => name in pkg.devDependencies)).toBe(true);
  }, 60_000);

  it('the harness packages are dev dependencies', () => {
    for (const name of ['promptfoo', '@kubernetes/client-node', 'autocannon', '@ast-grep/cli', 'vitest', 'typescript']) expect(pkg.devDependencies).toHaveProperty([name]);
  });
});

// What needs only the agent's contract (run shapes, the grounding check) must not load the agent: its index pulls in
// LangChain, LangGraph and fastify, 2-3 s of module loading, and the eval graders sit under `luminamind --help` and
// `chaos --help` (the chaos lab grades answers during a fault).
const FRAMEWORK = /^(@langchain\/|langchain$|deepagents$|fastify$|@fastify\/|ioredis$)/;
const frameworkReached = async (entry: string) => (await packagesReached(entry)).filter((name) => FRAMEWORK.test(name));

describe('what only needs the contract loads no agent framework', () => {
  it.each(['agent/src/contract/index.ts', 'evals/graders/index.ts', 'chaos/lab/quality.ts'])('%s', async (entry) => {
    expect(await frameworkReached(entry)).toEqual([]);
  }, 60_000);

  it('can fail: the agent itself reaches LangGraph and fastify', async () => {
    expect(await frameworkReached('agent/src/index.ts')).toEqual(expect.arrayContaining(['@langchain/langgraph', 'fastify']));
  }, 60_000);
});
