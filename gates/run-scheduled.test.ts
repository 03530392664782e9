import { describe, expect, it } from 'vitest';
import { runScheduled } from './stages.js';

/** Items that record when they started and finished, so the test sees what overlapped. */
function tracked(specs: { name: string; cpuBound?: boolean; timing?: boolean; action?: string }[]) {
  const log: string[] = [];
  let running = 0;
  let most = 0;
  const items = specs.map((s) => ({ ...s, stage: { cpuBound: s.cpuBound, timing: s.timing }, action: s.action ?? 'run' }));
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
  const GATE = [
    { name: 'coverage', cpuBound: true },
    { name: 'security', cpuBound: true },
    { name: 'eval', cpuBound: true },
    { name: 'load', timing: true },
    { name: 'chaos', timing: true },
  ];

  it('runs up to `jobs` side by side, keeps the order of results, and never a timing stage beside a CPU-bound one', async () => {
    const t = tracked(GATE);
    expect(await runScheduled(t.items, 3, t.work)).toEqual(['coverage', 'security', 'eval', 'load', 'chaos']);
    expect(t.most()).toBe(3);
    expect(t.log).toContain('+eval*');
    // load starts after the last CPU-bound stage ended, and chaos runs beside it.
    const at = (entry: string) => t.log.indexOf(entry);
    expect(at('+load')).toBeGreaterThan(Math.max(at('-coverage'), at('-security'), at('-eval')));
    expect(t.log).toContain('+chaos*');
    expect(at('+chaos')).toBeLessThan(at('-load'));
  });

  it('can fail: without the marks the timing stages start beside the tests', async () => {
    const t = tracked(GATE.map(({ name }) => ({ name })));
    await runScheduled(t.items, 5, t.work);
    expect(t.log.indexOf('+load*')).toBeLessThan(t.log.indexOf('-coverage'));
  });

  it('a CPU-bound stage after a timing one waits for it', async () => {
    const t = tracked([{ name: 'load', timing: true }, { name: 'late', cpuBound: true }]);
    await runScheduled(t.items, 2, t.work);
    expect(t.log).toEqual(['+load', '-load', '+late', '-late']);
  });

  it('jobs 1 runs one at a time (the can-fail twin of the overlap above)', async () => {
    const t = tracked([{ name: 'a' }, { name: 'b' }, { name: 'c' }]);
    await runScheduled(t.items, 1, t.work);
    expect(t.most()).toBe(1);
  });

  it('a timing stage whose evidence stands (not run) does not wait for the CPU-bound ones', async () => {
    const t = tracked([{ name: 'a', cpuBound: true }, { name: 'load', timing: true, action: 'reuse' }]);
    await runScheduled(t.items, 2, t.work);
    expect(t.log).toContain('+load*');
  });
});
