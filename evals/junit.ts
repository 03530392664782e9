import type { EvalResult } from './report/index.js';

const esc = (s: string): string => s.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!);

/**
 * JUnit XML of an eval run (one testsuite per category, one testcase per case × variant × repeat), for CI test
 * panels. A faulty variant "passes" in JUnit when the graders caught it. Harness errors are <error>, not <failure>.
 *
 * @example
 *   await writeFile('reports/eval/junit.xml', toJunit(report.results));
 */
export function toJunit(results: readonly EvalResult[]): string {
  const byCategory = new Map<string, EvalResult[]>();
  for (const r of results) byCategory.set(r.category, [...(byCategory.get(r.category) ?? []), r]);
  const suites = [...byCategory].map(([category, rs]) => {
    const cases = rs.map((r) => {
      const faulty = r.variant.startsWith('faulty:');
      const ok = faulty ? !r.pass : r.pass;
      const name = esc(`${r.caseId} ${r.variant}${r.repeat ? `#${r.repeat}` : ''}`);
      let body = '';
      if (r.error) body = `<error message="${esc(r.error.message.slice(0, 500))}" type="${esc(r.error.code ?? 'harness')}"/>`;
      else if (!ok) {
        const why = faulty ? 'faulty variant not caught by any grader' : r.graders.filter((g) => !g.pass && !g.skipped).map((g) => `${g.id}: ${g.reason}`).join('; ');
        body = `<failure message="${esc(why.slice(0, 500))}"/>`;
      }
      return `    <testcase classname="eval.${esc(category)}" name="${name}" time="${(r.latencyMs / 1000).toFixed(3)}">${body}</testcase>`;
    });
    const failures = rs.filter((r) => !r.error && (r.variant.startsWith('faulty:') ? r.pass : !r.pass)).length;
    const errors = rs.filter((r) => r.error).length;
    return `  <testsuite name="eval.${esc(category)}" tests="${rs.length}" failures="${failures}" errors="${errors}">\n${cases.join('\n')}\n  </testsuite>`;
  });
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="luminamind-eval">\n${suites.join('\n')}\n</testsuites>\n`;
}
