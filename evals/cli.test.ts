import { loadDataset } from './dataset.js';
import { InvalidArgumentError } from 'commander';
import { filterCases } from './task.js';
import { shardOption, shardSlice } from './report/index.js';

describe('case selection', () => {
  it('filters by id, category or tag, and refuses a filter that matches nothing', async () => {
    const cases = await loadDataset('datasets/regression');
    expect(filterCases(cases, '^web-').every((c) => c.id.startsWith('web-'))).toBe(true);
    expect(filterCases(cases, 'hallucination-trap')).toHaveLength(10);
    expect(filterCases(cases, 'prompt-injection').length).toBeGreaterThanOrEqual(3);
    expect(() => filterCases(cases, '^nothing-matches$')).toThrow(expect.objectContaining({ code: 'EVL_ERR_USAGE' }));
    expect(() => filterCases(cases, '(')).toThrow(expect.objectContaining({ code: 'EVL_ERR_USAGE' }));
  });

  it('shards i/n into disjoint slices that cover every case', async () => {
    const cases = await loadDataset('datasets/regression');
    const slices = [1, 2, 3].map((i) => shardSlice(cases, shardOption(`${i}/3`)).map((c) => c.id));
    expect(slices.flat().sort()).toEqual(cases.map((c) => c.id).sort());
    expect(new Set(slices.flat()).size).toBe(cases.length);
    for (const bad of ['0/3', '4/3', 'x', '1/0']) expect(() => shardOption(bad)).toThrow(InvalidArgumentError);
  });
});
