// Prints "N passed, N failed" from vitest's JSON report and exits 1 when anything failed. Failed = failed tests plus
// test files that failed as a whole (did not load, crashed): vitest reports those as a failed suite with no failed test.
// A missing or unreadable report is a failed run ("0 passed, 1 failed").
import { readFileSync } from 'node:fs';

let r;
try {
  r = JSON.parse(readFileSync(process.argv[2] ?? 'reports/test-results.json', 'utf8'));
} catch {
  console.log('0 passed, 1 failed');
  process.exit(1);
}
const files = (r.testResults ?? []).filter((f) => f.status === 'failed' && !(f.assertionResults ?? []).some((a) => a.status === 'failed')).length;
const failed = (r.numFailedTests ?? 0) + files;
console.log(`${r.numPassedTests ?? 0} passed, ${failed} failed`);
process.exit(failed > 0 || r.success === false || (r.numPassedTests ?? 0) === 0 ? 1 : 0);
