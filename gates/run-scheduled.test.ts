import { describe, expect, it } from 'vitest';
import { runScheduled } from './stages.js';

/** Items that record when they started and finished, so the test sees what overlapped. */
function tracked(specs: { name: string; exclusive?: boolean; action?: string }[]) {
  const log: string[] = [];
  let running = 0;
  let most = 0;
  const items = specs.map((s) => ({ ...s, stage: { exclusive: s.exclusive }, action: s.action ?? 'run' }));
  const work = async (item: (typeof items)[number]) => {
    running++;
    most = Math.max(most, running);
    log.push(`+${item.name}${running > 1 ? '*' : ''}`);
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setImmediate(r));
    running--;
    log.push(`-${item.name}`);
    return item.name;
  };
  return { items, work, log, most: () => most };
}

describe('runScheduled', () => {
  it('runs up to `jobs` side by side, keeps the order of results, and runs an exclusive stage alone', async () => {
    const t = tracked([{ name: 'coverage' }, { name: 'security' }, { name: 'eval' }, { name: 'load', exclusive: true }, { name: 'chaos', exclusive: true }]);
    expect(await runScheduled(t.items, 2, t.work)).toEqual(['coverage', 'security', 'eval', 'load', 'chaos']);
    expect(t.most()).toBe(2);
    expect(t.log).toContain('+security*');
    // load and chaos start with nothing else running.
    expect(t.log.filter((l) => l.startsWith('+load') || l.startsWith('+chaos'))).toEqual(['+load', '+chaos']);
  });

  it('jobs 1 runs one at a time (the can-fail twin of the overlap above)', async () => {
    const t = tracked([{ name: 'a' }, { name: 'b' }, { name: 'c' }]);
    await runScheduled(t.items, 1, t.work);
    expect(t.most()).toBe(1);
  });

  it('an exclusive stage whose evidence stands (not run) does not hold the others back', async () => {
    const t = tracked([{ name: 'a' }, { name: 'load', exclusive: true, action: 'reuse' }]);
    await runScheduled(t.items, 2, t.work);
    expect(t.log).toContain('+load*');
  });
});
