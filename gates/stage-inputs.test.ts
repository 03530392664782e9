import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { changedInputs, stageInputs } from './inputs.js';
import { DOC_TESTS, STAGES } from './stages.js';

const ROOT = join(import.meta.dirname, '..');
const stage = (kind: string) => STAGES.find((s) => s.kind === kind)!;
const TREE = new Map([
  ['agent/src/server.ts', 'a1'],
  ['README.md', 'b1'],
  ['docs/standalone.test.ts', 'c1'],
  ['docs/report-envelope.schema.json', 'c2'],
  ['package-lock.json', 'd1'],
]);
const edit = (path: string, blob: string) => new Map([...TREE, [path, blob]]);

const SKIP = new Set(['node_modules', '.git', 'reports', 'coverage']);

/** Test files whose source names a documentation file that exists (relative to the root or to the test) or lists the whole tree; run outputs under reports/ are not documentation. */
function testsReadingDocs(): string[] {
  const walk = (dir: string): string[] =>
    readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((e) => {
      const path = dir ? `${dir}/${e.name}` : e.name;
      if (e.isDirectory()) return SKIP.has(e.name) ? [] : walk(path);
      return e.name.endsWith('.test.ts') && path !== 'gates/stage-inputs.test.ts' ? [path] : [];
    });
  return walk('')
    .filter((f) => {
      const literals = [...readFileSync(join(ROOT, f), 'utf8').matchAll(/'([^'\n]*)'|"([^"\n]*)"|`([^`\n$]*)`/g)].map((m) => m[1] ?? m[2] ?? m[3] ?? '');
      return literals.some((l) => l === 'ls-files' || (/\.md$|^docs\/runbooks$/.test(l) && !l.startsWith('reports/') && [join(ROOT, l), join(ROOT, dirname(f), l)].some(existsSync)));
    })
    .sort();
}

describe('stage inputs', () => {
  it('a documentation change leaves the eval, load and chaos inputs alone and changes them for a source change', () => {
    for (const kind of ['eval', 'load', 'chaos', 'coverage', 'security']) {
      const s = stage(kind);
      const base = stageInputs(TREE, s.irrelevant, {}).sha256;
      expect(stageInputs(edit('README.md', 'b2'), s.irrelevant, {}).sha256, kind).toBe(base);
      expect(stageInputs(edit('agent/src/server.ts', 'a2'), s.irrelevant, {}).sha256, kind).not.toBe(base);
      expect(stageInputs(edit('docs/report-envelope.schema.json', 'c3'), s.irrelevant, {}).sha256, kind).not.toBe(base);
    }
  });

  it('the lockfile is always an input, whatever a stage declares; extras are inputs', () => {
    const everything = ['**'];
    expect(stageInputs(edit('package-lock.json', 'd2'), everything, {}).sha256).not.toBe(stageInputs(TREE, everything, {}).sha256);
    expect(stageInputs(edit('README.md', 'b2'), everything, {}).sha256).toBe(stageInputs(TREE, everything, {}).sha256);
    expect(stageInputs(TREE, [], { node: 'v20' }).sha256).not.toBe(stageInputs(TREE, [], { node: 'v22' }).sha256);
  });

  it('changedInputs names changed, added and removed paths and changed facts', () => {
    const before = stageInputs(TREE, [], { node: 'v20' });
    const tree = edit('agent/src/new.ts', 'n1');
    tree.delete('README.md');
    tree.set('agent/src/server.ts', 'a2');
    expect(changedInputs(before, stageInputs(tree, [], { node: 'v22' }))).toEqual(['(node)', 'README.md', 'agent/src/new.ts', 'agent/src/server.ts']);
  });

  it("every test that reads documentation is in the tests stage's guard (else a docs-only change would skip it)", () => {
    const found = testsReadingDocs();
    // Can fail: the finder does see the tests that read docs (a finder that saw nothing would pass vacuously).
    expect(found).toEqual(expect.arrayContaining(['docs/standalone.test.ts', 'agent/src/errors.test.ts']));
    expect(DOC_TESTS.filter((f) => !existsSync(join(ROOT, f))), 'guard files that do not exist').toEqual([]);
    expect(found.filter((f) => !DOC_TESTS.includes(f)), 'tests reading docs missing from DOC_TESTS in gates/stages.ts').toEqual([]);
  });
});
