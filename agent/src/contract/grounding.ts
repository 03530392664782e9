/**
 * The grounding check: every figure, quoted span, name, file path and URL in an answer must be supported by
 * the evidence (tool outputs, the user's own words, provided context). An unsupported claim is a
 * hallucination. Shared by the eval harness (grounding grader) and the service's online quality guard.
 *
 * It is lexical, so it normalises the surface forms that say the same thing before it compares them:
 * number words both ways ("seven" = 7, "three-time"), ranges and scores however they are dashed
 * ("2007-2008" = "2007–08"), list numbering ("2."), rounding ("about 38%" for 38.1%), thousands in CSV rows;
 * punctuation and case inside quotes, a whole answer wrapped in quotes; capitalised words that are not names
 * (sentence openers, titles, "Note", "The University"), demonyms ("Chinese" for China), shorter and longer
 * forms of a name in the evidence ("West Ham" / "West Ham United"), acronyms of evidence names ("MPC").
 * Relations between words that all appear in the evidence are beyond it: that is the judge's job.
 */
import { DEMONYMS, NON_NAMES, ORDINALS, SCALES, UNITS } from './grounding-lexicon.js';
import { MAIN_AGENT_NAME } from '../graph/prompts.js';

export type ClaimKind = 'number' | 'quote' | 'name' | 'url' | 'path';

/** Every kind of claim the check extracts: the values of the `kind` label on `luminamind_unsupported_claims_total`. */
export const CLAIM_KINDS: readonly ClaimKind[] = ['number', 'quote', 'name', 'url', 'path'];

export interface Claim {
  kind: ClaimKind;
  text: string;
  supported: boolean;
}

export interface GroundingResult {
  /** True when every claim is supported. */
  grounded: boolean;
  claims: Claim[];
  unsupported: Claim[];
  /** Supported claims / claims (1 when there are none). */
  score: number;
}

export interface GroundingOptions {
  /** Accept a figure computed by one arithmetic step (+ − × ÷ or a percentage) from two evidence figures. */
  allowArithmetic?: boolean;
  /** Terms never treated as claims (e.g. the agent's own name). */
  ignore?: readonly string[];
}

const URL_RE = /https?:\/\/[^\s)<>"'\]]+/g;
const QUOTE_RE = /"([^"\n]{3,200})"|“([^”\n]{3,200})”/g;
const PATH_RE = /(?<![\w/.-])(?:[\w.-]+\/)*[\w-](?:[\w.-]*[\w-])?\.(?:md|js|ts|json|txt|csv|ya?ml|py|conf|html|sh|env|toml|lock)\b/g;
const NUMBER_RE = /(?<![\w.])[-−]?\d{1,3}(?:,\d{3})+(?:\.\d+)?(?![\w])|(?<![\w.])[-−]?\d+(?:\.\d+)?/g;
const WORD = String.raw`\p{Lu}[\p{Ll}\p{Lu}]*\p{Ll}(?:['’]\p{Ll}+)?`;
const NAME_RE = new RegExp(String.raw`(?<![\p{L}])${WORD}(?:[ -]${WORD})+(?![\p{L}])|(?<=[\p{Ll},;:(] )\p{Lu}[\p{L}]{2,}(?:['’]\p{Ll}+)?(?![\p{L}])`, 'gu');
const ACRONYM_RE = /^\p{Lu}{2,6}s?$/u;
// The agent's own name is never a claim to ground.
const DEFAULT_IGNORE = [MAIN_AGENT_NAME, 'I'];
const NUMBER_WORDS = new RegExp(String.raw`\b(?:(?:${[...Object.keys(UNITS), ...Object.keys(SCALES)].join('|')})(?:[ -](?:and[ -])?)?)+\b|\b(?:(?:${Object.keys(UNITS).join('|')})-)?(?:${Object.keys(ORDINALS).join('|')})\b`, 'gi');
const SCALE_AFTER = /^\s*(hundred|thousand|million|billion|trillion|bn|m|k)\b/i;
const SCALE_SUFFIX: Readonly<Record<string, number>> = { ...SCALES, bn: 1e9, m: 1e6, k: 1e3 };

function stripTrailing(url: string): string {
  return url.replace(/[.,;:!?]+$/, '');
}

function toNumber(text: string): number {
  return Number(text.replace(/−/g, '-').replace(/,/g, ''));
}

function decimals(text: string): number {
  return /\.(\d+)$/.exec(text)?.[1]?.length ?? 0;
}

/** Unicode-folded, lower-case, single-spaced: "Galápagos" and "galapagos" compare equal. */
function fold(text: string): string {
  return text.normalize('NFKD').replace(/\p{M}/gu, '').replace(/[‘’`´]/g, "'").replace(/[“”«»]/g, '"').toLowerCase();
}

/** Words only: what a quote says once punctuation, quote marks and case are set aside. */
function bare(text: string, folded = fold(text)): string {
  // ASCII and general punctuation, spelled out: a \p{…} class costs four times as much on a megabyte of evidence.
  return ` ${folded.replace(/'s\b/g, 's').replace(/[\s!-/:-@[-`{-~\u00a0-\u00bf\u2000-\u206f\u2190-\u2bff\u3000-\u303f]+/g, ' ').trim()} `;
}

/** The value of a run of number words: "twenty-two" 22, "five hundred" 500, "two hundred and fifty" 250, "seventh" 7. */
function wordsValue(text: string): number | undefined {
  let total = 0;
  let current = 0;
  let any = false;
  for (const w of text.toLowerCase().split(/[\s-]+/)) {
    if (w === 'and' || !w) continue;
    const v = UNITS[w] ?? ORDINALS[w];
    if (v !== undefined) {
      current += v;
      any = true;
    } else if (SCALES[w] !== undefined) {
      const s = SCALES[w];
      current = (current || 1) * s;
      if (s >= 1000) {
        total += current;
        current = 0;
      }
      any = true;
    } else return undefined;
  }
  return any ? total + current : undefined;
}

/** Ranges and seasons written with a short second year ("2007–08") also state the long one (2008). */
function expandRanges(text: string): string {
  return text.replace(/\b(1[89]|20)(\d{2})\s*[-–—/]\s*(\d{2})\b(?![-–—:/]\d)/g, (_m, c: string, a: string, b: string) => `${c}${a} – ${c}${b}`);
}

interface NumberMention {
  text: string;
  value: number;
  /** Written in words: matched to a stated figure only, never to a computed one (7 − 4 is not "three-time"). */
  words: boolean;
  percent: boolean;
  /** Value × the scale word after it ("2.4 million"), when there is one. */
  scaled?: number;
  /** The sentence around it says it computed something ("total", "colder", "+", "%"). */
  computed?: boolean;
}

// Words and signs by which an answer shows that a figure is computed rather than read off the evidence.
const COMPUTED = /[+×÷*=%]|\d\s*[-−/x]\s*\d|\b(?:per ?cent|total|sum|add(?:ed|s|ing)?|altogether|together|combined|difference|more|less|fewer|higher|lower|colder|warmer|hotter|cooler|larger|smaller|bigger|up|down|increase[ds]?|decrease[ds]?|gr[eo]w(?:th|n)?|rose|fell|dropped|gain(?:ed)?|net|twice|double[ds]?|half|times|average|mean|remaining|other|ratio|margin|ahead|behind|gap|change[ds]?|in all|overall|combined|per)\b/i;

// A request for a computation somewhere in the evidence (the user's turn is part of it).
const ASKED = /\b(?:what is|what's|how (?:much|many)|calculate|compute|work out|add|subtract|multiply|divide|sum|total|times|difference|convert)\b|\d\s*[+×÷*x]\s*\d|[+×÷]/i;

/** The sentence of `text` around position `at`. */
function sentenceAt(text: string, at: number): string {
  const before = text.slice(Math.max(0, at - 300), at);
  const after = text.slice(at, at + 300);
  const start = Math.max(before.lastIndexOf('\n'), before.search(/[.!?]\s(?!.*[.!?]\s)/s));
  const end = after.search(/[.!?](?:\s|$)|\n/);
  return before.slice(start + 1) + (end < 0 ? after : after.slice(0, end));
}

/** The figures of a text, in digits and in words, with list numbering and dashes between figures set aside. */
function numberMentions(text: string, answerSide: boolean): NumberMention[] {
  const out: NumberMention[] = [];
  let rest = expandRanges(text).replace(/^(\s*)\d{1,2}[.)](?=\s)/gm, '$1 ').replace(/(\d)\s*[–—]\s*(?=[-−]?\d)/g, '$1 ');
  rest = rest.replace(/\bminus (\d)/gi, '−$1');
  rest = rest.replace(NUMBER_WORDS, (m) => {
    const phrase = m.replace(/[ -]+(?:and[ -]*)?$/i, '').trim();
    const value = wordsValue(phrase);
    const lower = phrase.toLowerCase();
    // "one" (no one, one of) and the ordinals first/second (for the first time, a second) say little in an answer.
    const vague = answerSide && ['one', 'first', 'second', 'zero', 'hundred', 'thousand', 'million', 'billion', 'trillion'].includes(lower);
    if (value !== undefined && !vague) out.push({ text: phrase, value, words: true, percent: false });
    return ' '.repeat(m.length);
  });
  for (const m of rest.matchAll(NUMBER_RE)) {
    const value = toNumber(m[0]);
    if (!Number.isFinite(value)) continue;
    const after = rest.slice((m.index ?? 0) + m[0].length);
    const scale = SCALE_AFTER.exec(after)?.[1]?.toLowerCase();
    out.push({
      text: m[0],
      value,
      words: false,
      percent: /^\s*(%|per ?cent)/i.test(after),
      scaled: scale ? value * (SCALE_SUFFIX[scale] ?? 1) : undefined,
      computed: answerSide && COMPUTED.test(sentenceAt(rest, m.index ?? 0)),
    });
    // "200,210,190,230" in a CSV row ("East,200,210,190,230") is four figures as well as one.
    const start = m.index ?? 0;
    const inRow = rest[start - 1] === ',' || rest[start + m[0].length] === ',';
    if (!answerSide && m[0].includes(',') && inRow) for (const part of m[0].split(',')) out.push({ text: part, value: toNumber(part), words: false, percent: false });
  }
  return out;
}

function close(a: number, b: number): boolean {
  return Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b)) || Math.abs(a - b) < 0.005;
}

/** n as written (with `places` decimals) could be e rounded: 38 for 38.1, 4.3 for 4.312. */
function roundsTo(e: number, n: number, places: number): boolean {
  return Math.abs(e - n) <= 0.5 * 10 ** -places + 1e-9;
}

function derivable(n: number, pool: readonly number[], percent: boolean, places: number): boolean {
  // A year is stated, never computed: 2009 must not pass as 2011 − 2.
  if (Number.isInteger(n) && n >= 1900 && n <= 2100) return false;
  const values = [...new Set(pool)].slice(0, 80);
  for (const a of values)
    for (const b of values) {
      const candidates = [a + b, a - b, a * b, b !== 0 ? a / b : NaN, (a * b) / 100];
      if (candidates.some((c) => Number.isFinite(c) && close(c, n))) return true;
      // A percentage share or change, rounded as written: 54% for 12,000 → 18,500.
      if (percent && b !== 0 && [(a / b) * 100, ((a - b) / b) * 100].some((c) => roundsTo(c, n, places))) return true;
    }
  return false;
}

/** Right-hand sides of arithmetic the answer shows ("120 + 135 + 150 + 170 = 575") that is correct. */
function shownArithmetic(text: string, stated: (n: number) => boolean): Set<number> {
  const ok = new Set<number>();
  const term = String.raw`[-−]?\d[\d,]*(?:\.\d+)?`;
  const re = new RegExp(String.raw`(?<![\d.,])(${term}(?:\s*[-+−×x*÷/]\s*${term})+)\s*=\s*(${term})`, 'g');
  for (const m of text.matchAll(re)) {
    const tokens = m[1]!.match(new RegExp(String.raw`${term}|[-+−×x*÷/]`, 'g')) ?? [];
    // Left to right with × and ÷ first: a sum of products.
    let sum = 0;
    let product = toNumber(tokens[0] ?? 'NaN');
    let sign = 1;
    for (let i = 1; i + 1 < tokens.length; i += 2) {
      const op = tokens[i]!;
      const v = toNumber(tokens[i + 1]!);
      if ('×x*'.includes(op)) product *= v;
      else if ('÷/'.includes(op)) product /= v;
      else {
        sum += sign * product;
        sign = op === '+' ? 1 : -1;
        product = v;
      }
    }
    sum += sign * product;
    const operands = tokens.filter((_t, i) => i % 2 === 0).map(toNumber);
    if (close(sum, toNumber(m[2]!)) && operands.every(stated)) ok.add(toNumber(m[2]!));
  }
  return ok;
}

const SUFFIXES = ['ese', 'ians', 'ian', 'ans', 'an', 'ers', 'er', 'n', 'i', 's', 'e'];

/** Forms a capitalised word may take for the same place or name: China ↔ Chinese, Wales ↔ Welsh, Hammers ↔ Hammer. */
function forms(word: string): Set<string> {
  const out = new Set([word]);
  const mapped = DEMONYMS[word];
  if (mapped) out.add(mapped);
  for (const s of SUFFIXES) {
    if (!word.endsWith(s)) continue;
    const base = word.slice(0, -s.length);
    if (base.length < 3) continue;
    for (const end of ['', 'a', 'ia', 'y', 'o', 'e']) out.add(base + end);
  }
  for (const end of ['y', 'a']) out.add(word + end);
  return out;
}

/** Openers, titles, roles and number words: capitalised, but not (part of) a name. */
function isNonName(word: string): boolean {
  const w = fold(word);
  return NON_NAMES.has(w) || UNITS[w] !== undefined || ORDINALS[w] !== undefined;
}

interface NameIndex {
  words: Set<string>;
  /** Capitalised evidence words by their first three letters: the candidates for a demonym or other form. */
  capitalised: Map<string, string[]>;
  /** Places named by the evidence's irregular demonyms (Welsh → wales). */
  places: Set<string>;
  haystack: string;
  /** The evidence as words only (see bare), built on first use. */
  bare: () => string;
  /** Initials of runs of capitalised evidence words ("Monetary Policy Committee" → mpc), built on first use. */
  acronyms: () => Set<string>;
}

function nameIndex(corpus: string, haystack: string, bareText: () => string): NameIndex {
  const words = new Set(haystack.match(/\p{L}+/gu) ?? []);
  const capitalised = new Map<string, string[]>();
  const places = new Set<string>();
  for (const w of new Set(corpus.match(/\p{Lu}\p{L}+/gu) ?? [])) {
    const f = fold(w);
    const key = f.slice(0, 3);
    const bucket = capitalised.get(key);
    if (bucket) bucket.push(f);
    else capitalised.set(key, [f]);
    const place = DEMONYMS[f];
    if (place) places.add(place);
  }
  let built: Set<string> | undefined;
  const acronyms = (): Set<string> => (built ??= acronymsOf(corpus));
  return { words, capitalised, places, haystack, bare: bareText, acronyms };
}

function acronymsOf(corpus: string): Set<string> {
  const acronyms = new Set<string>();
  for (const m of corpus.matchAll(/\p{Lu}\p{L}*(?:\s+(?:(?:of|and|the|for|de)\s+)?\p{Lu}\p{L}*)+/gu)) {
    const initials = m[0].split(/\s+/).filter((w) => /^\p{Lu}/u.test(w)).map((w) => w[0]!.toLowerCase()).join('');
    // Acronyms run to six letters: windows of up to six initials, so a long run of capitals stays linear.
    for (let i = 0; i < initials.length; i++) for (let j = i + 2; j <= Math.min(initials.length, i + 6); j++) acronyms.add(initials.slice(i, j));
  }
  return acronyms;
}

function nameSupported(name: string, index: NameIndex): boolean {
  // Whole words only: "Mar" is not in "summarise".
  const words = bare(name);
  if (index.bare().includes(words) || index.bare().includes(words.replace(/s $/, ' '))) return true;
  // Word by word: every word that is not an opener, title or role is in the evidence in some form, so a longer
  // or shorter form of an evidence name ("West Ham" / "West Ham United") and a demonym ("Chinese") pass.
  const tokens = name.split(/[\s-]+/).filter((t) => t && !isNonName(t));
  return tokens.every((token) => {
    const t = fold(token).replace(/'s$/, '');
    if (ACRONYM_RE.test(token) && index.acronyms().has(t.replace(/s$/, ''))) return true;
    if (index.words.has(t)) return true;
    const f = forms(t);
    if ([...f].some((x) => index.words.has(x) || index.places.has(x) || (x.includes(' ') && index.bare().includes(` ${x} `)))) return true;
    // The other way round: an evidence word one of whose forms is this one (China for "Chinese", Swede for "Swedish").
    return (index.capitalised.get(t.slice(0, 3)) ?? []).some((w) => {
      const g = forms(w);
      return g.has(t) || [...f].some((x) => g.has(x));
    });
  });
}

/** Every string and number inside a tool output, flattened, so JSON escaping never hides evidence. */
export function evidenceText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return value.map(evidenceText).join('\n');
  if (typeof value === 'object') return Object.values(value as Record<string, unknown>).map(evidenceText).join('\n');
  return '';
}

/** How many items each list in the answer has: after a colon, in parentheses, or as bullet or numbered lines. */
function enumerations(text: string): Set<number> {
  const counts = new Set<number>();
  const items = (list: string): number => list.split(/,|;|\band\b|\bor\b/).filter((i) => i.trim()).length;
  for (const m of text.matchAll(/\(([^()]*[,;][^()]*)\)/g)) counts.add(items(m[1]!));
  for (const m of text.matchAll(/:[ \t]*([^\n]*)/g)) {
    const line = m[1]!.split(/\.(?:\s|$)/)[0]!;
    if (line.trim()) counts.add(items(line));
  }
  let run = 0;
  for (const line of [...text.split('\n'), '']) {
    if (/^\s*(?:[-*•]|\d{1,2}[.)])\s+\S/.test(line)) run++;
    else {
      if (run) counts.add(run);
      run = 0;
    }
  }
  return counts;
}

/** An answer that is one quotation from end to end is the answer, not a quote of the evidence. */
function unwrapWholeQuote(answer: string): string {
  const m = /^\s*(?:"([^"]+)"|“([^“”]+)”)\s*[.!]?\s*$/.exec(answer);
  return m ? (m[1] ?? m[2] ?? answer) : answer;
}

/**
 * Checks an answer against its evidence.
 *
 * @example
 *   checkGrounding('Lyon has 522,250 inhabitants.', ['Lyon had 522,250 inhabitants in 2021.']).grounded // true
 *   checkGrounding('Lyon has 600,000 inhabitants.', ['Lyon had 522,250 inhabitants in 2021.']).unsupported // [{kind: 'number', text: '600,000', …}]
 */
export function checkGrounding(answer: string, evidence: readonly string[], options: GroundingOptions = {}): GroundingResult {
  const corpus = evidence.join('\n');
  const foldedCorpus = fold(corpus);
  const haystack = ` ${foldedCorpus.replace(/\s+/g, ' ')} `;
  let bareCorpus: string | undefined;
  const bareHaystack = (): string => (bareCorpus ??= bare(corpus, foldedCorpus));
  const ignore = new Set([...DEFAULT_IGNORE, ...(options.ignore ?? [])].map((s) => s.toLowerCase()));
  const evidenceMentions = numberMentions(corpus.replace(/(\d)-(\d)/g, '$1 $2'), false);
  const evidenceNumbers = evidenceMentions.flatMap((m) => (m.scaled === undefined ? [m.value] : [m.value, m.scaled]));
  const digitNumbers = evidenceMentions.filter((m) => !m.words).map((m) => m.value);
  let index: NameIndex | undefined;
  const names = (): NameIndex => (index ??= nameIndex(corpus, haystack, bareHaystack));
  const claims: Claim[] = [];
  const seen = new Set<string>();
  const add = (kind: ClaimKind, text: string, supported: boolean): void => {
    const key = `${kind}:${text}`;
    if (seen.has(key) || ignore.has(text.toLowerCase())) return;
    seen.add(key);
    claims.push({ kind, text, supported });
  };

  let rest = unwrapWholeQuote(answer);
  for (const m of rest.matchAll(URL_RE)) {
    const url = stripTrailing(m[0]);
    add('url', url, corpus.includes(url));
    rest = rest.replace(m[0], ' ');
  }
  for (const m of rest.matchAll(QUOTE_RE)) {
    const span = (m[1] ?? m[2] ?? '').trim();
    // Punctuation, case and quote marks inside the span do not matter; an ellipsis joins fragments quoted in order.
    const fragments = span.split(/\.{3}|…/).map((f) => bare(f)).filter((f) => f.trim());
    if (fragments.length) add('quote', span, fragments.every((f) => bareHaystack().includes(f)));
  }
  for (const m of rest.matchAll(PATH_RE)) add('path', m[0], haystack.includes(m[0].toLowerCase()) || haystack.includes(m[0].split('/').pop()!.toLowerCase()));
  // Paths, versions and dates are claims of their own; their digits are not separate figures.
  const figures = rest.replace(PATH_RE, ' ').replace(/\b\d+(?:\.\d+){2,}\b/g, (v) => {
    add('number', v, haystack.includes(v));
    return ' ';
  }).replace(/\b\d{4}-\d{2}-\d{2}\b/g, (d) => {
    add('number', d, haystack.includes(d));
    return ' ';
  }).replace(/\b\d{1,2}:\d{2}(?::\d{2})?\b/g, (t) => {
    add('number', t, haystack.includes(t));
    return ' ';
  });
  const shown = shownArithmetic(figures, (n) => evidenceNumbers.some((e) => close(e, n)));
  const listed = enumerations(rest);
  const asked = ASKED.test(corpus);
  for (const n of numberMentions(figures, true)) {
    const places = decimals(n.text);
    const stated = evidenceNumbers.some((e) => close(e, n.value) || (n.scaled !== undefined && close(e, n.scaled)));
    let supported = stated || (n.words && Number.isInteger(n.value) && n.value >= 2 && n.value <= 12 && listed.has(n.value));
    if (!supported && !n.words) {
      supported =
        // Rounded as written ("about 38%" for 38.1%, 4.3 for 4.312), from a figure that has decimals.
        evidenceNumbers.some((e) => !Number.isInteger(e) && roundsTo(e, n.value, places)) ||
        // The same figure in thousands or millions (5 s for 5,000 ms, 4.7m for 4,700,000).
        [1e3, 1e6, 1e9].some((s) => evidenceNumbers.some((e) => (places ? roundsTo(e, n.value * s, places - Math.log10(s)) : close(e, n.value * s)))) ||
        shown.has(n.value) ||
        // A count of things the answer goes on to list ("Two TODOs: cart.js:3 … and users.js:1 …").
        (Number.isInteger(n.value) && n.value >= 2 && n.value <= 12 && listed.has(n.value)) ||
        // One arithmetic step, when the answer's sentence says it computed or the user asked for a computation:
        // otherwise any small figure is some difference of two evidence figures (18 = 31 − 13).
        (options.allowArithmetic !== false && (n.computed || asked) && derivable(n.value, digitNumbers, n.percent, places));
    }
    add('number', n.text, supported);
  }
  for (const m of rest.matchAll(NAME_RE)) {
    const words = m[0].split(/([\s-]+)/);
    // Openers and titles before a name are not part of it ("The Hammers", "Dr Price"); nothing left, no claim.
    while (words.length && isNonName(words[0]!)) words.splice(0, 2);
    const name = words.join('');
    if (!name) continue;
    add('name', name, nameSupported(name, names()));
  }
  // A sentence's first word is capitalised anyway; it is a name claim only when it reads as one: a demonym or
  // nationality ("Brazilian striker", "Turkish firefighters") or a word with an inner capital ("CrossCountry").
  for (const m of rest.matchAll(/(?:^|[.!?]\s+|\n\s*)(\p{Lu}[\p{L}]+)(?=[\s,])/gu)) {
    const word = m[1]!;
    const folded = fold(word);
    const demonym = DEMONYMS[folded] !== undefined || /(?:ese|ian|ish)$/.test(folded);
    const inner = /^\p{Lu}\p{Ll}+\p{Lu}/u.test(word);
    if ((demonym || inner) && !isNonName(word)) add('name', word, nameSupported(word, names()));
  }
  const unsupported = claims.filter((c) => !c.supported);
  return { grounded: unsupported.length === 0, claims, unsupported, score: claims.length ? (claims.length - unsupported.length) / claims.length : 1 };
}
