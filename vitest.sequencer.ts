import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

// Longest files first, so the run does not end with one long file on one worker while the other cores idle. vitest
// orders by the durations in its own results cache, which a fresh clone (CI, the gate) does not have: it then runs
// the largest files first, and the 40 s attack-chains file started 230 s into a 283 s run. vitest.durations.json
// (seconds per file, written by `npm run test:slowest`) stands in for the cache where it has no entry. Durations
// only order the files: a stale one costs a little wall time, never a result.
const ESTIMATES = JSON.parse(readFileSync(new URL('./vitest.durations.json', import.meta.url), 'utf8')) as Record<string, number>;

export default class LongestFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const root = this.ctx.config.root;
    const known = (spec: TestSpecification) => {
      const file = relative(root, spec.moduleId);
      const cached = this.ctx.cache.getFileTestResults(`${spec.project.name}:${file}`);
      return { failed: cached?.failed ?? false, ms: cached?.duration ?? (ESTIMATES[file] ?? 0) * 1000 };
    };
    const facts = new Map(files.map((spec) => [spec, known(spec)]));
    // Groups in vitest's order (they run one after another); within a group, failed files first, then longest first.
    return (await super.sort(files)).sort((a, b) => {
      const groups = a.project.config.sequence.groupOrder - b.project.config.sequence.groupOrder;
      if (groups !== 0) return groups;
      const fa = facts.get(a)!;
      const fb = facts.get(b)!;
      if (fa.failed !== fb.failed) return fa.failed ? -1 : 1;
      return fb.ms - fa.ms;
    });
  }
}
