import { Command, CommanderError } from 'commander';
import { describe, expect, it } from 'vitest';
import { parseShard } from '../evals/report/index.js';
import { registerChaosCommand, selectDrills } from './cli.js';
import { DRILL_IDS } from './drills/index.js';

describe('luminamind chaos --shard', () => {
  it.each([1, 2, 3, 4, 6, 7])('splits every drill into exactly one of %i shards, deterministically', (n) => {
    const slices = Array.from({ length: n }, (_, i) => selectDrills([], parseShard(`${i + 1}/${n}`)));
    expect(slices.flat().sort()).toEqual([...DRILL_IDS].sort());
    expect(new Set(slices.flat()).size).toBe(DRILL_IDS.length);
    expect(Array.from({ length: n }, (_, i) => selectDrills([], parseShard(`${i + 1}/${n}`)))).toEqual(slices);
  });

  it('shards the named drills in the order given, and refuses unknown drills and bad shards', () => {
    expect(selectDrills(['model-503', 'redis-kill', 'replica-kill'], parseShard('2/2'))).toEqual(['redis-kill']);
    expect(() => selectDrills(['no-such-drill'])).toThrow(/unknown drill/);
    for (const bad of ['0/2', '3/2', '1/0', 'x', '1/2/3']) expect(parseShard(bad)).toBeUndefined();
  });
});

describe('luminamind chaos <unknown drill>', () => {
  it('is a usage error (commander, so bin/ exits 2) naming the unknown drill and every known one, before anything runs', async () => {
    let stderr = '';
    const program = new Command('luminamind').exitOverride().configureOutput({ writeErr: (s) => (stderr += s), writeOut: () => {} });
    registerChaosCommand(program);
    const run = program.parseAsync(['chaos', 'redis-kill', 'redis-explode'], { from: 'user' });
    await expect(run).rejects.toBeInstanceOf(CommanderError);
    await expect(run).rejects.toMatchObject({ code: 'commander.invalidArgument' });
    expect(stderr).toContain('"redis-explode"');
    for (const id of DRILL_IDS) expect(stderr).toContain(id);
  });
});
