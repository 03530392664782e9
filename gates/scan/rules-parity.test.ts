import { describe, expect, it } from 'vitest';
import { loadAstGrepRules } from './ast-grep.js';
import { loadSemgrepRules } from './semgrep.js';

describe('semgrep copies of the ast-grep rules', () => {
  it('have the same rule ids, severities and messages', async () => {
    const [sg, semgrep] = await Promise.all([loadAstGrepRules(), loadSemgrepRules()]);
    const view = (rules: { id: string; message: string; metadata: { lmSeverity: string } }[]) =>
      rules.map((r) => ({ id: r.id, severity: r.metadata.lmSeverity, message: r.message })).sort((a, b) => a.id.localeCompare(b.id));
    expect(view(semgrep)).toEqual(view(sg));
  });

  it('target TypeScript, as the ast-grep rules do', async () => {
    for (const r of await loadSemgrepRules()) expect(r.languages).toContain('typescript');
    for (const r of await loadAstGrepRules()) expect(r.language).toBe('TypeScript');
  });
});
