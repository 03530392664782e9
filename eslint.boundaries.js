// Who may import whom (docs/ARCHITECTURE.md, "Who may import whom"), as lint rules. Folders form one order,
// agent < evals < load < chaos, gates reads only the report package, and only bin/ sees everything: a folder
// never imports one that comes after it, so no top-level import cycle can form.

/** The public face of each folder another folder may import (paths inside it); everything else is internal. */
const PUBLIC = {
  agent: ['src/index.js', 'src/contract/index.js'],
  evals: ['[\\w-]+/index.js'],
  load: ['index.js'],
  chaos: ['index.js', '[\\w-]+/index.js'],
};
// Tests (and their support files) may also start the lab's real parts: the model simulator and a private
// redis-server; and run the CLI in their own process (bin/run-cli.test-support.ts: the same main() without the CPU a
// spawned, TypeScript-loading process costs). These are the declared exceptions.
const TEST_LAB = { evals: ['sim/index.js'], load: ['redis-server.js'], bin: ['run-cli.test-support.js'] };

/** What files under `folder` may reach in each other top-level folder: 'public', 'report' or 'none'. */
const TABLE = {
  agent: { evals: 'none', load: 'none', chaos: 'none', gates: 'none', bin: 'none' },
  evals: { agent: 'public', load: 'none', chaos: 'none', gates: 'none', bin: 'none' },
  load: { agent: 'public', evals: 'public', chaos: 'none', gates: 'none', bin: 'none' },
  chaos: { agent: 'public', evals: 'public', load: 'public', gates: 'none', bin: 'none' },
  gates: { agent: 'none', evals: 'report', load: 'none', chaos: 'none', bin: 'none' },
};

const TEST_FILES = ['**/*.test.ts', '**/*.test-support.ts'];

function allowedIn(other, access, test) {
  const allowed = access === 'public' ? PUBLIC[other] : access === 'report' ? ['report/index.js'] : [];
  return [...allowed, ...(test ? (TEST_LAB[other] ?? []) : [])];
}

/** A relative import that climbs to the repository root and enters `other`, except its allowed entry points. */
function importRegex(other, allowed) {
  const except = allowed.length ? `(?!(${allowed.join('|')})$)` : '';
  return `^(\\.\\./)+${other}/${except}`;
}

function patternsFor(folder, { test }) {
  return Object.entries(TABLE[folder]).map(([other, access]) => {
    const allowed = allowedIn(other, access, test);
    const what = allowed.length ? `only ${allowed.map((a) => `${other}/${a.replace('[\\w-]+', '*').replace('.js', '.ts')}`).join(', ')}` : `nothing of ${other}/`;
    return { regex: importRegex(other, allowed), message: `${folder}/ may import ${what} (docs/ARCHITECTURE.md, "Who may import whom").` };
  });
}

/** The same table for import() expressions, which no-restricted-imports does not see: no dynamic import crosses a folder. */
function dynamicImportSelector(folder) {
  return `ImportExpression[source.value=/^(\\.\\.\\/)+(${Object.keys(TABLE[folder]).join('|')})\\//]`;
}

export const boundaryConfigs = Object.keys(TABLE).flatMap((folder) => [
  {
    files: [`${folder}/**/*.ts`],
    rules: {
      'no-restricted-imports': ['error', { patterns: patternsFor(folder, { test: false }) }],
      'no-restricted-syntax': ['error', { selector: dynamicImportSelector(folder), message: `${folder}/ reaches other folders only through static imports of their public index (docs/ARCHITECTURE.md).` }],
    },
  },
  {
    files: TEST_FILES.map((glob) => `${folder}/${glob}`),
    rules: { 'no-restricted-imports': ['error', { patterns: patternsFor(folder, { test: true }) }] },
  },
]);
