import { ESLint, type Linter } from 'eslint';
import noUnsanitized from 'eslint-plugin-no-unsanitized';
import security from 'eslint-plugin-security';
import sonarjs from 'eslint-plugin-sonarjs';
import tseslint from 'typescript-eslint';
import type { Severity } from '../../evals/report/index.js';
import { repoFiles, sourceFiles } from './files.js';
import { outcomeFor, type ScanFinding, type Scanner } from './types.js';

/**
 * The security rules and the severity each reports at. Separate from the project's lint config: that one
 * keeps style and turns off rules the sandbox makes noisy; this one only asks "is this exploitable?".
 */
export const ESLINT_SECURITY_RULES = {
  'security/detect-eval-with-expression': 'high',
  'security/detect-child-process': 'medium',
  'security/detect-non-literal-require': 'medium',
  'security/detect-new-buffer': 'medium',
  'security/detect-unsafe-regex': 'medium',
  'security/detect-buffer-noassert': 'medium',
  'security/detect-disable-mustache-escape': 'high',
  'security/detect-no-csrf-before-method-override': 'medium',
  'security/detect-pseudoRandomBytes': 'medium',
  'security/detect-possible-timing-attacks': 'low',
  'security/detect-bidi-characters': 'high',
  'security/detect-non-literal-regexp': 'low',
  'no-unsanitized/method': 'high',
  'no-unsanitized/property': 'high',
  'sonarjs/code-eval': 'high',
  'sonarjs/os-command': 'medium',
  'sonarjs/no-os-command-from-path': 'low',
  'sonarjs/unverified-certificate': 'high',
  'sonarjs/weak-ssl': 'high',
  'sonarjs/no-hardcoded-passwords': 'high',
  'sonarjs/no-hardcoded-secrets': 'high',
  'sonarjs/hardcoded-secret-signatures': 'high',
  'sonarjs/insecure-jwt-token': 'high',
  'sonarjs/hashing': 'medium',
  'sonarjs/no-weak-cipher': 'high',
  'sonarjs/encryption-secure-mode': 'high',
  'sonarjs/pseudo-random': 'low',
  'sonarjs/publicly-writable-directories': 'low',
  'sonarjs/file-permissions': 'medium',
  'sonarjs/no-unsafe-unzip': 'medium',
  'sonarjs/insecure-cookie': 'medium',
  'sonarjs/cookie-no-httponly': 'medium',
  'sonarjs/cors': 'medium',
  'sonarjs/csrf': 'medium',
  'sonarjs/no-clear-text-protocols': 'low',
  'sonarjs/no-hardcoded-ip': 'low',
  'sonarjs/slow-regex': 'medium',
  'sonarjs/no-ip-forward': 'low',
} as const satisfies Record<string, Severity>;

export function eslintSecurityConfig(): Linter.Config[] {
  return [
    {
      files: ['**/*.{ts,mts,js,mjs,cjs}'],
      languageOptions: { parser: tseslint.parser as Linter.Parser, ecmaVersion: 'latest', sourceType: 'module' },
      plugins: { security, 'no-unsanitized': noUnsanitized, sonarjs: sonarjs as unknown as ESLint.Plugin },
      // Inline `eslint-disable` comments must not hide a security finding: suppressions live in suppressions.yaml.
      linterOptions: { noInlineConfig: true, reportUnusedDisableDirectives: 'off' },
      rules: Object.fromEntries(Object.keys(ESLINT_SECURITY_RULES).map((r) => [r, 'error'])),
    },
  ];
}

/** Lints `files` (relative to `root`) with the security config; one finding per message. */
export async function lintForSecurity(root: string, files: readonly string[]): Promise<ScanFinding[]> {
  const eslint = new ESLint({ cwd: root, overrideConfigFile: true, overrideConfig: eslintSecurityConfig(), errorOnUnmatchedPattern: false });
  const results = await eslint.lintFiles([...files]);
  const findings: ScanFinding[] = [];
  for (const result of results) {
    const file = result.filePath.startsWith(`${root}/`) ? result.filePath.slice(root.length + 1) : result.filePath;
    for (const m of result.messages) {
      // Notes about ignored inline directives carry no rule and are not findings; a parse error is.
      if (!m.ruleId && !m.fatal) continue;
      const rule = m.ruleId ?? 'eslint/parse-error';
      const severity: Severity = m.ruleId ? (ESLINT_SECURITY_RULES[m.ruleId as keyof typeof ESLINT_SECURITY_RULES] ?? 'medium') : 'medium';
      findings.push({ rule, file, line: m.line ?? 0, severity, message: m.message });
    }
  }
  return findings;
}

export const eslintScanner = {
  id: 'eslint' as const,
  title: 'eslint: security, no-unsanitized, sonarjs security rules',
  run: async (ctx) => {
    const files = sourceFiles(await repoFiles(ctx.root));
    const findings = await lintForSecurity(ctx.root, files);
    return outcomeFor(findings, `${files.length} source files, ${Object.keys(ESLINT_SECURITY_RULES).length} rules`);
  },
} satisfies Scanner;
