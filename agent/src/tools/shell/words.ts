/** How one character of a word was written: bare, inside '…', inside "…", or after a backslash. */
export type CharQuoting = 'bare' | 'single' | 'double' | 'escaped';

/** One argv word with, per character, how it was quoted (the policy refuses bare shell syntax). */
export interface Word {
  readonly text: string;
  readonly quoting: readonly CharQuoting[];
}

export class ShellSyntaxError extends Error {}

// Inside double quotes POSIX sh lets a backslash escape only these; elsewhere it stays a literal backslash.
const DQUOTE_ESCAPABLE = new Set(['$', '`', '"', '\\']);

/**
 * Splits a command line into words like Python's `shlex.split` (POSIX quoting, whitespace separates,
 * nothing is expanded), keeping how each character was quoted so callers can refuse unquoted `;`, `|`,
 * `$`, globs and the like instead of silently passing them on as literals. Inside double quotes a
 * backslash also escapes `$` and a backtick, as in sh, so `"\$HOME"` means the literal text `$HOME`.
 *
 * @example
 *   splitWords(`echo "a; b" 'c'`).map((w) => w.text); // ['echo', 'a; b', 'c']
 *   splitWords(`echo "open`); // throws ShellSyntaxError('No closing quotation')
 */
export function splitWords(command: string): Word[] {
  const words: Word[] = [];
  let text = '';
  let quoting: CharQuoting[] = [];
  let inWord = false;
  let i = 0;
  const push = (ch: string, q: CharQuoting) => {
    text += ch;
    quoting.push(q);
  };
  const endWord = () => {
    if (inWord) words.push({ text, quoting });
    text = '';
    quoting = [];
    inWord = false;
  };
  while (i < command.length) {
    const ch = command[i]!;
    if (/\s/.test(ch)) {
      endWord();
      i++;
    } else if (ch === "'") {
      inWord = true;
      const end = command.indexOf("'", i + 1);
      if (end < 0) throw new ShellSyntaxError('No closing quotation');
      for (const c of command.slice(i + 1, end)) push(c, 'single');
      i = end + 1;
    } else if (ch === '"') {
      inWord = true;
      i++;
      for (;;) {
        if (i >= command.length) throw new ShellSyntaxError('No closing quotation');
        const c = command[i]!;
        if (c === '"') break;
        if (c === '\\' && i + 1 < command.length && DQUOTE_ESCAPABLE.has(command[i + 1]!)) {
          push(command[i + 1]!, 'escaped');
          i += 2;
        } else {
          push(c, 'double');
          i++;
        }
      }
      i++;
    } else if (ch === '\\') {
      if (i + 1 >= command.length) throw new ShellSyntaxError('No escaped character');
      inWord = true;
      push(command[i + 1]!, 'escaped');
      i += 2;
    } else {
      inWord = true;
      push(ch, 'bare');
      i++;
    }
  }
  endWord();
  return words;
}
