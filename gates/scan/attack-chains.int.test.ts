import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadChains, replayChain, type Chain } from './attack-chains.js';
import { CORPUS_DIR } from './attack-corpus.js';

/**
 * The escape suite. Every chain is replayed three ways:
 * - protected (the CLI as shipped, sandbox on): nothing may get out;
 * - unguarded (the steps done directly, as the original service ran programs): the chain MUST get out, so a
 *   chain that stopped being an attack (a program changed, a typo) fails here instead of passing vacuously;
 * - SHELL_SANDBOX=off: the in-process layer alone. Chains marked `contained` must still be stopped by it;
 *   chains marked `escapes` (code that runs anyway) must get out, proving the OS sandbox is what stops them.
 */
const root = resolve(import.meta.dirname, '../..');
const chains = await loadChains(join(root, CORPUS_DIR));
let tmp: string;

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'lm-chains-'));
  // Nothing is skipped for lack of a program: .ci/run installs them.
  for (const program of ['bwrap', 'git', 'python3', 'pytest', 'npm', 'yarn']) {
    expect(() => execFileSync('which', [program], { stdio: 'pipe' }), `${program} must be installed for the escape suite`).not.toThrow();
  }
});
afterAll(async () => rm(tmp, { recursive: true, force: true }));

it('the corpus covers every class of chain, and both layers', () => {
  const classes = new Set(chains.map(({ chain }) => chain.class));
  expect([...classes].sort()).toEqual(['move-program', 'plant-config', 'run-code']);
  expect(chains.length).toBeGreaterThanOrEqual(12);
  expect(chains.some(({ chain }) => chain.sandboxOff === 'escapes')).toBe(true);
  expect(chains.some(({ chain }) => chain.sandboxOff === 'contained')).toBe(true);
});

describe.each(chains.map(({ chain }) => [chain.id, chain] as [string, Chain]))('%s', (id, chain) => {
  it(`${chain.title}: contained by the shipped tools, a real escape without them`, { timeout: 120_000 }, async () => {
    const [shipped, unguarded, sandboxOff] = await Promise.all([
      replayChain(root, join(tmp, id, 'shipped'), chain, 'auto'),
      replayChain(root, join(tmp, id, 'unguarded'), chain, 'unguarded'),
      replayChain(root, join(tmp, id, 'off'), chain, 'off'),
    ]);
    expect(shipped.escapes, shipped.outputs.join('\n')).toEqual([]);
    expect(unguarded.escapes.length, `the chain no longer escapes even unguarded:\n${unguarded.outputs.join('\n')}`).toBeGreaterThan(0);
    if (chain.sandboxOff === 'contained') expect(sandboxOff.escapes, sandboxOff.outputs.join('\n')).toEqual([]);
    else expect(sandboxOff.escapes.length, `expected the in-process layer alone to let this through:\n${sandboxOff.outputs.join('\n')}`).toBeGreaterThan(0);
  });
});
