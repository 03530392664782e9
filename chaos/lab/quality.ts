import { graders, trajectory } from '../../evals/graders/index.js';
import type { ToolCallRecord } from '../../agent/src/contract/index.js';
import { chat } from './probe.js';
import { SCENARIOS } from '../../load/index.js';

/** The eval subset graded during a fault: the load cassettes' questions with what a correct answer contains. */
export const QUALITY_CASES = [
  { id: 'plain', message: SCENARIOS.plain.message, contains: 'deep agent', tool: undefined },
  { id: 'one-tool', message: SCENARIOS['one-tool'].message, contains: 'empty', tool: 'list_directory' },
  { id: 'multi-tool', message: SCENARIOS['multi-tool'].message, contains: 'no markdown notes', tool: 'file_search' },
] as const;

export interface QualityResult {
  cases: number;
  answered: number;
  passed: number;
  results: { id: string; answered: boolean; pass: boolean; reason: string; status: number; code?: string }[];
}

/**
 * What the subset says: "not measured" when nothing was answered (never "passed"), else passed/answered.
 *
 * @example
 *   describeQuality({ cases: 3, answered: 0, passed: 0, results }); // 'not measured: 0/3 answered (HTTP 503 AGT_ERR_CHECKPOINT_FAILED ×3)'
 */
export function describeQuality(q: QualityResult): string {
  if (q.answered === 0) {
    const why = new Map<string, number>();
    for (const r of q.results) {
      const key = `HTTP ${r.status}${r.code ? ` ${r.code}` : ''}`;
      why.set(key, (why.get(key) ?? 0) + 1);
    }
    return `not measured: 0/${q.cases} answered (${[...why].map(([k, n]) => `${k} ×${n}`).join(', ')})`;
  }
  return `${q.passed}/${q.answered} answered passed grading (${q.cases} cases)`;
}

/** Runs the subset one case at a time and grades each answer with the eval harness's own graders (contains, tool-used). */
export async function runQualitySubset(url: string, prefix: string, timeoutMs = 10_000): Promise<QualityResult> {
  const results: QualityResult['results'] = [];
  for (const c of QUALITY_CASES) {
    const { status, code, body } = await chat(url, `${prefix}-q-${c.id}`, c.message, timeoutMs);
    if (status !== 200 || body?.status !== 'completed') {
      results.push({ id: c.id, answered: false, pass: false, reason: `no answer (HTTP ${status}${code ? ` ${code}` : ''})`, status, ...(code ? { code } : {}) });
      continue;
    }
    const t = trajectory({ answer: body.answer ?? '', toolCalls: (body.tool_calls ?? []).map((tc) => ({ ...tc, args: {}, output: '', error: false, durationMs: 0 }) as unknown as ToolCallRecord) });
    const outcomes = [
      await graders.contains.grade(graders.contains.params.parse({ value: c.contains, caseSensitive: false }), t),
      ...(c.tool ? [await graders['tool-used'].grade(graders['tool-used'].params.parse({ tool: c.tool }), t)] : []),
    ];
    const pass = outcomes.every((o) => o.pass);
    results.push({ id: c.id, answered: true, pass, reason: outcomes.map((o) => o.reason).join('; '), status });
  }
  return { cases: results.length, answered: results.filter((r) => r.answered).length, passed: results.filter((r) => r.pass).length, results };
}
