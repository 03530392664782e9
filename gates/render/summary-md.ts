import type { Decision } from '../decide.js';

export const VERDICT_ICON = { pass: '✅', warn: '⚠️', fail: '❌', inconclusive: '❔' } as const;
const HEADLINE = { pass: 'PROMOTE', warn: 'PROMOTE (with warnings)', fail: 'BLOCKED', inconclusive: 'INCONCLUSIVE (missing, stale or broken evidence)' } as const;

const cell = (text: string | null | undefined) => (text ?? '—').replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');

/** The decision as a markdown table, for a PR comment and $GITHUB_STEP_SUMMARY. */
export function renderSummaryMarkdown(decision: Decision): string {
  const lines = [
    `## LuminaMind gate (${decision.policy.name}): ${VERDICT_ICON[decision.verdict]} ${HEADLINE[decision.verdict]}`,
    '',
    `Commit \`${decision.commit.sha.slice(0, 12)}\` · score ${decision.score} (min ${decision.minScore}) · exit ${decision.exitCode} · ${decision.reasons.join('; ')}`,
    '',
    '| check | verdict | measured | threshold | baseline | evidence | why |',
    '|---|---|---|---|---|---|---|',
    ...decision.checks.map(
      (c) =>
        `| ${cell(c.title)}${c.veto ? ' (veto)' : ''} | ${VERDICT_ICON[c.verdict]} ${c.verdict} | ${cell(c.measuredText)} | ${cell(c.threshold)} | ${cell(c.baselineText)} | ${c.evidence ? `\`${cell(c.evidence)}\`` : '—'} | ${cell(c.reason)} |`,
    ),
    '',
    ...(decision.stages.length
      ? [
          '| stage | ran | exit | took | limit |',
          '|---|---|---|---|---|',
          ...decision.stages.map((s) =>
            s.status === 'reused' || s.status === 'fresh'
              ? `| ${s.kind} | ${s.reused ? `♻️ reused from ${s.reused.fromSha.slice(0, 7)}: ${cell(s.reused.reason)}` : 'kept: fresh evidence of this commit'}${s.guard ? `; guard \`${cell(s.guard.command)}\`` : ''} | ${s.guard ? (s.guard.timedOut ? '⏱ timed out' : s.guard.exitCode === 0 ? '0' : `❌ ${s.guard.exitCode ?? 'signal'}`) : '—'} | ${((s.durationMs ?? 0) / 1000).toFixed(1)} s${s.run ? ` (its run took ${(s.run.durationMs / 1000).toFixed(1)} s)` : ''} | — |`
              : s.run
              ? `| ${s.kind} | \`${cell(s.run.command)}\` | ${s.run.timedOut ? '⏱ timed out' : s.run.exitCode === 0 ? '0' : `❌ ${s.run.exitCode ?? 'signal'}`} | ${(s.run.durationMs / 1000).toFixed(1)} s | ${Math.round(s.run.timeoutMs / 60_000)} min |`
              : `| ${s.kind} | ${s.status}${s.note ? `: ${cell(s.note)}` : ''} | — | — | — |`,
          ),
          '',
        ]
      : []),
  ];
  return lines.join('\n');
}
