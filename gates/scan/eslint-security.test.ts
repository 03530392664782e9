import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ESLINT_SECURITY_RULES, lintForSecurity } from './eslint-security.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lm-eslint-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('eslint security scan', () => {
  it('reports exploitable constructs with their severity, file and line', async () => {
    await writeFile(
      join(dir, 'bad.ts'),
      [
        'import https from "node:https";',
        'export function run(code: string, el: { innerHTML: string }) {',
        '  eval(code);',
        '  el.innerHTML = code;',
        '  return https.request({ hostname: "x", rejectUnauthorized: false });',
        '}',
        '',
      ].join('\n'),
    );
    const findings = await lintForSecurity(dir, ['bad.ts']);
    const at = (rule: string) => findings.find((f) => f.rule === rule);
    expect(at('security/detect-eval-with-expression')).toMatchObject({ file: 'bad.ts', line: 3, severity: 'high' });
    expect(at('no-unsanitized/property')).toMatchObject({ line: 4, severity: 'high' });
    expect(at('sonarjs/unverified-certificate')).toMatchObject({ line: 5, severity: 'high' });
  });

  it('inline eslint-disable comments cannot hide a finding', async () => {
    await writeFile(join(dir, 'hidden.ts'), '// eslint-disable-next-line\nexport const f = (c: string) => eval(c);\n');
    expect((await lintForSecurity(dir, ['hidden.ts'])).map((f) => f.rule)).toContain('security/detect-eval-with-expression');
  });

  it('clean code has no findings', async () => {
    await writeFile(join(dir, 'good.ts'), 'export const sum = (a: number, b: number) => a + b;\n');
    expect(await lintForSecurity(dir, ['good.ts'])).toEqual([]);
  });

  it('every configured rule exists in its plugin (a renamed rule would silently check nothing)', async () => {
    await writeFile(join(dir, 'empty.ts'), 'export {};\n');
    const findings = await lintForSecurity(dir, ['empty.ts']);
    expect(findings.filter((f) => /Definition for rule|could not find/i.test(f.message))).toEqual([]);
    expect(Object.keys(ESLINT_SECURITY_RULES).length).toBeGreaterThan(30);
  });
});
