import type { Decision } from '../decide.js';

const xml = (s: string) =>
  s.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c] ?? c).replace(/[^\t\n\r\x20-\uD7FF\uE000-\uFFFD]/gu, '');

/** One JUnit testcase per check: fail → <failure>, inconclusive → <skipped>, warn passes with a note. */
export function renderJunit(decision: Decision): string {
  const failures = decision.checks.filter((c) => c.verdict === 'fail').length;
  const skipped = decision.checks.filter((c) => c.verdict === 'inconclusive').length;
  const cases = decision.checks.map((c) => {
    const open = `    <testcase classname="gate.${decision.policy.name}.${c.kind}" name="${xml(`${c.id}: ${c.title}`)}" time="0">`;
    const text = xml(`${c.verdict}: ${c.reason} (measured ${c.measuredText}, threshold ${c.threshold ?? '—'}, evidence ${c.evidence ?? 'none'})`);
    if (c.verdict === 'fail') return `${open}\n      <failure message="${text}" type="${c.veto ? 'veto' : 'weighted'}">${text}</failure>\n    </testcase>`;
    if (c.verdict === 'inconclusive') return `${open}\n      <skipped message="${text}"/>\n    </testcase>`;
    return `${open}\n      <system-out>${text}</system-out>\n    </testcase>`;
  });
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="luminamind gate" tests="${decision.checks.length}" failures="${failures}" skipped="${skipped}">`,
    `  <testsuite name="gate ${xml(decision.policy.name)} (${decision.verdict})" tests="${decision.checks.length}" failures="${failures}" errors="0" skipped="${skipped}" timestamp="${xml(decision.createdAt)}">`,
    ...cases,
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}
