import { astGrepScanner } from './ast-grep.js';
import { attackCorpusScanner } from './attack-corpus.js';
import { eslintScanner } from './eslint-security.js';
import { npmAuditScanner } from './npm-audit.js';
import { secretsScanner } from './secrets.js';
import { semgrepScanner } from './semgrep.js';
import type { Scanner } from './types.js';

export const SCANNER_IDS = ['eslint', 'ast-grep', 'semgrep', 'secrets', 'npm-audit', 'attack-corpus'] as const;
export type ScannerId = (typeof SCANNER_IDS)[number];

/** Every check of `luminamind scan`, in report order; a missing entry fails the build. */
export const SCANNERS = {
  eslint: eslintScanner,
  'ast-grep': astGrepScanner,
  semgrep: semgrepScanner,
  secrets: secretsScanner,
  'npm-audit': npmAuditScanner,
  'attack-corpus': attackCorpusScanner,
} satisfies Record<ScannerId, Scanner & { id: ScannerId }>;
