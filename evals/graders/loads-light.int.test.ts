import { join } from 'node:path';
import { build } from 'esbuild';

// The graders need the agent's contract (run shapes, the grounding check), not the agent: importing the whole agent
// loads LangChain, LangGraph and fastify, 2-3 s of module loading, and the graders sit under `luminamind --help` and
// `chaos --help` (the chaos lab grades answers during a fault). esbuild walks the import graph node will, static
// imports and literal import() calls alike.

const ROOT = join(import.meta.dirname, '../..');
const FRAMEWORK = /^(@langchain\/|langchain$|deepagents$|fastify$|@fastify\/|ioredis$)/;

/** The framework packages the import graph of `entry` reaches. */
async function frameworkReached(entry: string): Promise<string[]> {
  const result = await build({ entryPoints: [join(ROOT, entry)], bundle: true, platform: 'node', format: 'esm', packages: 'external', write: false, metafile: true, logLevel: 'silent', outdir: 'unused' });
  const reached = new Set<string>();
  for (const input of Object.values(result.metafile.inputs)) {
    for (const imported of input.imports) if (imported.external && FRAMEWORK.test(imported.path.split('/').slice(0, imported.path.startsWith('@') ? 2 : 1).join('/'))) reached.add(imported.path);
  }
  return [...reached].sort();
}

describe('what only needs the contract loads no agent framework', () => {
  it.each(['agent/src/contract/index.ts', 'evals/graders/index.ts', 'chaos/lab/quality.ts'])('%s', async (entry) => {
    expect(await frameworkReached(entry)).toEqual([]);
  }, 60_000);

  it('can fail: the agent itself reaches LangGraph and fastify', async () => {
    const reached = await frameworkReached('agent/src/index.ts');
    expect(reached).toEqual(expect.arrayContaining(['@langchain/langgraph', 'fastify']));
  }, 60_000);
});
