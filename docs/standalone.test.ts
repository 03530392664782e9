import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

// A clone with nothing beside it must be complete: no file may cite or read the team's documents outside the
// repository (their design and requirements notes, or anything in a sibling folder). Say what they meant instead:
// the number, the fact, or a link to this repository's own file (docs/ARCHITECTURE.md, gates/policy.yaml, …).
const ROOT = join(import.meta.dirname, '..');
const SELF = relative(ROOT, import.meta.filename);
// The team's design and requirements documents and the folder beside the clone that holds them. Spelled in
// pieces so this file does not cite them itself.
const [design, requirements, beside] = ['DES' + 'IGN', 'REQUIRE' + 'MENTS', 'sha' + 'red'];
const OUTSIDE = new RegExp(`\\b${design}(\\.md)?\\b|\\b${requirements}\\b|\\.\\./${beside}\\b`);
const NOT_OURS = /^(node_modules|reports|coverage|\.git)(\/|$)/;

/** The files a clone holds: git's tracked files, or every file when this is not a git checkout (an unpacked archive). */
function repositoryFiles(): string[] {
  try {
    const out = execFileSync('git', ['ls-files', '-z'], { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    return out.split('\0').filter((f) => f !== '' && existsSync(join(ROOT, f)));
  } catch {
    return readdirSync(ROOT, { recursive: true, encoding: 'utf8' })
      .map((f) => f.split('\\').join('/'))
      .filter((f) => !NOT_OURS.test(f) && statSync(join(ROOT, f)).isFile());
  }
}

describe('the repository stands alone', () => {
  it('no file cites the team documents outside the repository', () => {
    const offending: string[] = [];
    for (const file of repositoryFiles()) {
      if (file === SELF) continue;
      const bytes = readFileSync(join(ROOT, file));
      if (bytes.includes(0)) continue; // binary
      bytes
        .toString('utf8')
        .split('\n')
        .forEach((line, i) => {
          if (OUTSIDE.test(line)) offending.push(`${file}:${i + 1}: ${line.trim().slice(0, 160)}`);
        });
    }
    expect(offending, `replace each citation by what it means:\n${offending.join('\n')}`).toEqual([]);
  });

  it('keeps its own map and the vendored files with their licence', () => {
    for (const file of ['docs/ARCHITECTURE.md', 'chaos/experiments/vendor/chaos-mesh-crds/LICENSE', 'chaos/experiments/vendor/chaos-mesh-crds/NOTICE']) {
      expect(existsSync(join(ROOT, file)), file).toBe(true);
    }
    expect(readFileSync(join(ROOT, 'README.md'), 'utf8')).toContain('docs/ARCHITECTURE.md');
    expect(readFileSync(join(ROOT, 'docs/ARCHITECTURE.md'), 'utf8').split('\n').length).toBeLessThanOrEqual(151);
  });
});
