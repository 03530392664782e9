import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

// The report package's boundaries, checked on the sources: index.ts is its only entry; it imports no producer or the
// gate; producers and the gate import one another's measures from nowhere but here.
const ROOT = resolve(import.meta.dirname, '../..');
const PACKAGE = 'evals/report';

function sources(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return e.name === 'node_modules' || e.name === 'fixtures' ? [] : sources(path);
    return /\.(ts|mts)$/.test(e.name) ? [path] : [];
  });
}

/** Every relative import of a file, resolved to a repository path without extension. */
function imports(file: string): string[] {
  const text = readFileSync(join(ROOT, file), 'utf8');
  return [...text.matchAll(/(?:from|import\()\s*'(\.{1,2}\/[^']+)'/g)].map((m) => relative(ROOT, resolve(ROOT, dirname(file), m[1]!)).replace(/\.js$/, ''));
}

const outside = ['evals', 'gates', 'load', 'chaos', 'bin'].flatMap(sources).filter((f) => !f.startsWith(`${PACKAGE}/`));
const inside = sources(PACKAGE);

describe('the report package', () => {
  it('is imported only through evals/report/index.ts', () => {
    const offenders = outside.flatMap((f) => imports(f).filter((i) => i.startsWith(`${PACKAGE}/`) && i !== `${PACKAGE}/index`).map((i) => `${f} → ${i}`));
    expect(offenders).toEqual([]);
    expect(outside.some((f) => imports(f).includes(`${PACKAGE}/index`))).toBe(true);
  });

  it('imports nothing from a producer or the gate (eval, load, chaos, gates), so they can all depend on it', () => {
    const offenders = inside.filter((f) => !f.endsWith('.test.ts')).flatMap((f) => imports(f).filter((i) => !i.startsWith(`${PACKAGE}/`)).map((i) => `${f} → ${i}`));
    expect(offenders).toEqual([]);
  });

  it('owns the measures: no second copy of pass rate, pass^k, Wilson, McNemar or the load comparison elsewhere', () => {
    const definitions = /export (?:async )?function (wilson\w*|mcnemar\w*|passHatK|passK|passRate|mannWhitney|compareRuns|compareResults|summarise\w*|percentile)\b/;
    const offenders = outside.filter((f) => !f.endsWith('.test.ts') && definitions.test(readFileSync(join(ROOT, f), 'utf8')));
    expect(offenders).toEqual([]);
  });
});
