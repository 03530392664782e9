import { refuse } from './grammar.js';
import type { Word } from './words.js';

/** `rm` with a recursive flag aimed at `/` or `/*`, wherever it sits in the line. */
function isRmRoot(command: string): boolean {
  for (const segment of command.split(/[;&|()`\n]/)) {
    const tokens = segment.trim().split(/\s+/);
    const at = tokens.findIndex((t) => t === 'rm' || t.endsWith('/rm'));
    if (at < 0) continue;
    const rest = tokens.slice(at + 1);
    const recursive = rest.some((t) => /^-[a-zA-Z]*[rR]/.test(t) || t === '--recursive');
    if (recursive && rest.some((t) => t === '/' || t === '/*' || t === '--no-preserve-root')) return true;
  }
  return false;
}

/** Patterns refused on sight, before parsing (the original system's list: rm -rf /, dd if=, fork bombs, chmod 777, writes to /dev/sd*), counted as dangerous. */
export const BLOCKED_PATTERNS: readonly { readonly name: string; readonly test: (command: string) => boolean }[] = [
  { name: 'rm -rf /', test: isRmRoot },
  { name: 'dd if=', test: (c) => /\bdd\s/.test(c) && /\bif=/.test(c) },
  // Compared with whitespace removed, so `:(){ :|:& };:` and its respaced variants all match.
  { name: 'fork bomb', test: (c) => /(\w+|:)\(\)\{\1\|\1&\};\1/.test(c.replace(/\s+/g, '')) },
  { name: 'chmod 777', test: (c) => /\bchmod\s/.test(c) && /\s0?777\b/.test(c) },
  { name: '> /dev/sd', test: (c) => />\s*\/dev\/sd/.test(c) },
];

export function findBlockedPattern(command: string): string | undefined {
  return BLOCKED_PATTERNS.find((b) => b.test(command))?.name;
}

const bare = (w: Word, i: number) => w.quoting[i] === 'bare';
const expands = (w: Word, i: number) => w.quoting[i] === 'bare' || w.quoting[i] === 'double';

/**
 * Refuses shell syntax that a shell would have interpreted: with no shell, it would silently become a
 * literal argument and the command would not do what the model meant.
 */
export function checkShellSyntax(words: readonly Word[]): void {
  for (const w of words) {
    const t = w.text;
    for (let i = 0; i < t.length; i++) {
      const c = t[i]!;
      if (bare(w, i)) {
        if (c === ';') refuse('operator', "';' (command chaining) is not supported: run one command per call");
        if (c === '&') refuse('operator', "'&' / '&&' (background or chaining) is not supported: run one command per call");
        if (c === '|') refuse('operator', "'|' / '||' (pipes and chaining) are not supported: run one command per call");
        if (c === '>' || c === '<') refuse('redirection', "redirections ('>', '>>', '<', '2>&1') are not supported: write files with write_file");
        if (c === '(' || c === ')') refuse('operator', "'(' and ')' (subshells) are not supported; quote them if they are literal");
        if (c === '*' || c === '?' || c === '[') refuse('glob', `globbing is not supported ('${t}'): there is no shell to expand it; quote the pattern to pass it literally (e.g. find . -name '*.ts')`);
        if (c === '#' && i === 0) refuse('comment', `'#' comments are not supported ('${t}'); quote it if it is literal`);
        if (c === '~' && i === 0) refuse('tilde', `'~' expansion is not supported ('${t}'): use a path relative to the workspace`);
        if (c === '{' && /\{[^}]*(,|\.\.)[^}]*\}/.test(t.slice(i))) refuse('brace', `brace expansion is not supported ('${t}')`);
      }
      if (expands(w, i)) {
        if (c === '`') refuse('substitution', 'command substitution (backticks) is not supported');
        if (c === '$' && t[i + 1] === '(') refuse('substitution', "command substitution '$(…)' is not supported");
        if (c === '$' && t[i + 1] === '{') refuse('variable', "variable expansion '${…}' is not supported: the command gets no environment from the service");
        if (c === '$' && /[A-Za-z0-9_@*#?$!-]/.test(t[i + 1] ?? '')) refuse('variable', `variable expansion ('${t}') is not supported: the command gets no environment from the service; single-quote a literal '$'`);
      }
    }
  }
  const first = words[0];
  if (first && /^[A-Za-z_][A-Za-z0-9_]*=/.test(first.text) && first.quoting.every((q) => q === 'bare' || q === 'escaped')) {
    refuse('env_assignment', `environment assignments ('${first.text}') are not supported: the command gets no environment from the service`);
  }
}
