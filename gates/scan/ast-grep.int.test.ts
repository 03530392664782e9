import { execFile } from 'node:child_process';
import { cp, mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { astGrepBinary, astGrepScan, loadAstGrepRules, SCAN_DIR, SG_CONFIG } from './ast-grep.js';

const execFileAsync = promisify(execFile);

interface RuleTest {
  id: string;
  valid: string[];
  invalid: string[];
}

async function ruleTests(): Promise<RuleTest[]> {
  const dir = join(SCAN_DIR, 'rule-tests');
  return Promise.all((await readdir(dir)).map(async (n) => parse(await readFile(join(dir, n), 'utf8')) as RuleTest));
}

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'lm-sg-'));
});
afterAll(() => rm(tmp, { recursive: true, force: true }));

describe('ast-grep rules', () => {
  it('the binary shipped in @ast-grep/cli runs here', async () => {
    const { stdout } = await execFileAsync(astGrepBinary(), ['--version']);
    expect(stdout).toMatch(/ast-grep \d+\.\d+/);
  });

  it('cover the five constructs, each with positive and negative fixtures', async () => {
    const rules = await loadAstGrepRules();
    expect(rules.map((r) => r.id).sort()).toEqual(['lm-eval', 'lm-hardcoded-secret', 'lm-process-env-outside-config', 'lm-shell-exec-non-literal', 'lm-tls-verification-disabled']);
    const tests = await ruleTests();
    for (const r of rules) {
      const t = tests.find((x) => x.id === r.id);
      expect(t?.valid.length, r.id).toBeGreaterThanOrEqual(2);
      expect(t?.invalid.length, r.id).toBeGreaterThanOrEqual(2);
    }
  });

  it('pass their fixtures (ast-grep test: valid cases unmatched, invalid ones matched)', async () => {
    const { stdout } = await execFileAsync(astGrepBinary(), ['test', '--config', SG_CONFIG, '--skip-snapshot-tests']);
    expect(stdout).toMatch(/5 passed; 0 failed/);
  });

  it('a fixture the rule gets wrong fails the test run, so a broken rule cannot pass silently', async () => {
    const dir = join(tmp, 'broken');
    await cp(SCAN_DIR, dir, { recursive: true, filter: (src) => !src.includes('semgrep') });
    const t = join(dir, 'rule-tests', 'lm-eval-test.yml');
    const doc = parse(await readFile(t, 'utf8')) as RuleTest;
    await writeFile(t, JSON.stringify({ ...doc, valid: [...doc.valid, doc.invalid[0]] }));
    const run = await execFileAsync(astGrepBinary(), ['test', '--config', join(dir, 'sgconfig.yml'), '--skip-snapshot-tests']).catch((e: { stdout: string }) => e);
    expect(run).toBeInstanceOf(Error);
    expect(run.stdout).toMatch(/lm-eval/);
    expect(run.stdout).toMatch(/FAIL\S* lm-eval/);
  });

  describe.each(['lm-eval', 'lm-hardcoded-secret', 'lm-process-env-outside-config', 'lm-shell-exec-non-literal', 'lm-tls-verification-disabled'])('%s through the scanner', (id) => {
    it('reports every positive fixture with its severity and line, and no negative one', async () => {
      const t = (await ruleTests()).find((x) => x.id === id)!;
      const rules = await loadAstGrepRules();
      const severity = rules.find((r) => r.id === id)!.metadata.lmSeverity;
      const dir = await mkdtemp(join(tmp, `${id}-`));
      // One file per snippet: the rules look at imports, so snippets must not see each other's.
      const bad = t.invalid.map((_, i) => `bad-${i}.ts`);
      const good = t.valid.map((_, i) => `good-${i}.ts`);
      await Promise.all([...t.invalid.map((code, i) => writeFile(join(dir, bad[i]!), `// fixture\n${code}\n`)), ...t.valid.map((code, i) => writeFile(join(dir, good[i]!), `${code}\n`))]);
      const mine = (await astGrepScan(dir, [...bad, ...good])).filter((f) => f.rule === id);
      expect(mine.filter((f) => good.includes(f.file))).toEqual([]);
      expect(new Set(mine.map((f) => f.file))).toEqual(new Set(bad));
      expect(mine.every((f) => f.line === 2)).toBe(true);
      for (const f of mine) expect(f.severity).toBe(severity);
    });
  });

  it('process.env is allowed in agent/src/config.ts and bin/ only', async () => {
    const dir = await mkdtemp(join(tmp, 'env-'));
    const layout = { 'agent/src/config.ts': 'const a = process.env.PORT;\n', 'bin/cli.ts': 'const b = process.env.HOME;\n', 'agent/src/server.ts': 'const c = process.env.PORT;\n' };
    for (const [f, text] of Object.entries(layout)) {
      await mkdir(dirname(join(dir, f)), { recursive: true });
      await writeFile(join(dir, f), text);
    }
    const findings = await astGrepScan(dir, Object.keys(layout));
    expect(findings.map((f) => `${f.rule} ${f.file}`)).toEqual(['lm-process-env-outside-config agent/src/server.ts']);
  });
});
