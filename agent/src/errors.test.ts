import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '../..');
const SOURCE_DIRS = ['agent', 'evals', 'load', 'chaos', 'gates', 'bin'];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts') && !e.name.endsWith('.test.ts'))
    .map((e) => join(e.parentPath, e.name))
    .filter((p) => !p.includes('node_modules'));
}

function codesInSource(): string[] {
  const codes = SOURCE_DIRS.flatMap((d) => sourceFiles(join(ROOT, d))).flatMap((file) =>
    [...readFileSync(file, 'utf8').matchAll(/createError\(\s*'([A-Z]+_ERR_[A-Z0-9_]+)'/g)].map((m) => m[1]!),
  );
  return codes;
}

describe('error codes', () => {
  it('are never reused', () => {
    const codes = codesInSource();
    expect(codes.length).toBeGreaterThan(0);
    expect(codes.filter((c, i) => codes.indexOf(c) !== i)).toEqual([]);
  });

  it('are all listed in docs/ERRORS.md, and the doc lists no code the code base lacks', () => {
    const documented = [...readFileSync(join(ROOT, 'docs/ERRORS.md'), 'utf8').matchAll(/^\| `([A-Z]+_ERR_[A-Z0-9_]+)`/gm)].map((m) => m[1]!);
    expect(new Set(documented)).toEqual(new Set(codesInSource()));
  });
});
