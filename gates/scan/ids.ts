/** Every check of `luminamind scan`, in report order; kept apart from the scanners so `--help` loads none of them. */
export const SCANNER_IDS = ['eslint', 'ast-grep', 'semgrep', 'secrets', 'npm-audit', 'attack-corpus', 'attack-chains'] as const;
export type ScannerId = (typeof SCANNER_IDS)[number];
