// Prints the N (default 20) slowest test files of a vitest JSON report, with their wall time and share of the total:
// where a suite's minutes go. `npm run test:slowest` runs the suite and prints them; point it at any report
// (the gate's is reports/coverage/raw/test-results.json): `node .ci/slowest.mjs FILE [N]`.
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';

const [file = 'reports/test-times.json', n = '20'] = process.argv.slice(2);
let report;
try {
  report = JSON.parse(readFileSync(file, 'utf8'));
} catch (err) {
  console.error(`slowest: cannot read vitest JSON report ${file}: ${err.message}`);
  process.exit(2);
}
const files = (report.testResults ?? []).map((f) => ({ name: relative(process.cwd(), f.name), ms: Math.max(0, (f.endTime ?? 0) - (f.startTime ?? 0)), tests: (f.assertionResults ?? []).length }));
const total = files.reduce((s, f) => s + f.ms, 0);
files.sort((a, b) => b.ms - a.ms);
console.log(`${files.length} test files, ${(total / 1000).toFixed(1)} s summed over files (wall time of the run is less: files run in parallel)`);
for (const f of files.slice(0, Number(n))) console.log(`${(f.ms / 1000).toFixed(1).padStart(7)} s ${((100 * f.ms) / (total || 1)).toFixed(1).padStart(5)} %  ${String(f.tests).padStart(4)} tests  ${f.name}`);
