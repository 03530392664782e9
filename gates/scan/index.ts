import { astGrepScanner } from './ast-grep.js';
import { attackChainsScanner } from './attack-chains.js';
import { attackCorpusScanner } from './attack-corpus.js';
import { eslintScanner } from './eslint-security.js';
import { npmAuditScanner } from './npm-audit.js';
import { secretsScanner } from './secrets.js';
import { semgrepScanner } from './semgrep.js';
import type { ScannerId } from './ids.js';
import type { Scanner } from './types.js';

export { SCANNER_IDS, type ScannerId } from './ids.js';

/** Every check of `luminamind scan`, in report order; a missing entry fails the build. */
export const SCANNERS = {
  eslint: eslintScanner,
  'ast-grep': astGrepScanner,
  semgrep: semgrepScanner,
  secrets: secretsScanner,
  'npm-audit': npmAuditScanner,
  'attack-corpus': attackCorpusScanner,
  'attack-chains': attackChainsScanner,
} satisfies Record<ScannerId, Scanner & { id: ScannerId }>;
