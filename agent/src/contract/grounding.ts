/**
 * The grounding check: every figure, quoted span, name, file path and URL in an answer must be supported by
 * the evidence (tool outputs, the user's own words, provided context). An unsupported claim is a
 * hallucination. Shared by the eval harness (grounding grader) and the service's online quality guard.
 */

export type ClaimKind = 'number' | 'quote' | 'name' | 'url' | 'path';

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
const PATH_RE = /(?<![\w/.-])(?:[\w.-]+\/)*[\w-]+\.(?:md|js|ts|json|txt|csv|ya?ml|py|conf|html|sh|env|toml|lock)\b/g;
const NUMBER_RE = /(?<![\w.])[-−]?\d{1,3}(?:,\d{3})+(?:\.\d+)?(?![\w])|(?<![\w.])[-−]?\d+(?:\.\d+)?/g;
const NAME_RE = /\b[A-Z][a-z]+(?:[ -][A-Z][a-z]+)+\b|(?<=[a-z,;:(] )[A-Z][a-zA-Z]{2,}\b/g;
const DEFAULT_IGNORE = ['LuminaMind', 'I'];

function stripTrailing(url: string): string {
  return url.replace(/[.,;:!?]+$/, '');
}

function toNumber(text: string): number {
  return Number(text.replace(/−/g, '-').replace(/,/g, ''));
}

function numbersIn(text: string): number[] {
  return [...text.matchAll(NUMBER_RE)].map((m) => toNumber(m[0])).filter((n) => Number.isFinite(n));
}

function close(a: number, b: number): boolean {
  return Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b)) || Math.abs(a - b) < 0.005;
}

function derivable(n: number, pool: readonly number[]): boolean {
  // A year is stated, never computed: 2009 must not pass as 2011 − 2.
  if (Number.isInteger(n) && n >= 1900 && n <= 2100) return false;
  const values = [...new Set(pool)].slice(0, 80);
  for (const a of values)
    for (const b of values) {
      const candidates = [a + b, a - b, a * b, b !== 0 ? a / b : NaN, (a * b) / 100];
      if (candidates.some((c) => Number.isFinite(c) && close(c, n))) return true;
    }
  return false;
}

function normalise(text: string): string {
  return text.replace(/\s+/g, ' ').toLowerCase();
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

/**
 * Checks an answer against its evidence.
 *
 * @example
 *   checkGrounding('Lyon has 522,250 inhabitants.', ['Lyon had 522,250 inhabitants in 2021.']).grounded // true
 *   checkGrounding('Lyon has 600,000 inhabitants.', ['Lyon had 522,250 inhabitants in 2021.']).unsupported // [{kind: 'number', text: '600,000', …}]
 */
export function checkGrounding(answer: string, evidence: readonly string[], options: GroundingOptions = {}): GroundingResult {
  const corpus = evidence.join('\n');
  const haystack = normalise(corpus);
  const ignore = new Set([...DEFAULT_IGNORE, ...(options.ignore ?? [])].map((s) => s.toLowerCase()));
  const evidenceNumbers = numbersIn(corpus.replace(/(\d)-(\d)/g, '$1 $2'));
  const claims: Claim[] = [];
  const seen = new Set<string>();
  const add = (kind: ClaimKind, text: string, supported: boolean): void => {
    const key = `${kind}:${text}`;
    if (seen.has(key) || ignore.has(text.toLowerCase())) return;
    seen.add(key);
    claims.push({ kind, text, supported });
  };

  let rest = answer;
  for (const m of answer.matchAll(URL_RE)) {
    const url = stripTrailing(m[0]);
    add('url', url, corpus.includes(url));
    rest = rest.replace(m[0], ' ');
  }
  for (const m of rest.matchAll(QUOTE_RE)) {
    const span = (m[1] ?? m[2] ?? '').trim();
    if (span) add('quote', span, haystack.includes(normalise(span)));
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
  for (const m of figures.matchAll(NUMBER_RE)) {
    const n = toNumber(m[0]);
    const supported = evidenceNumbers.some((e) => close(e, n)) || (options.allowArithmetic !== false && derivable(n, evidenceNumbers));
    add('number', m[0], supported);
  }
  for (const m of rest.matchAll(NAME_RE)) {
    const name = m[0];
    // A plural of an evidence term ("TODOs" for "TODO") is the same name.
    add('name', name, haystack.includes(name.toLowerCase()) || haystack.includes(name.toLowerCase().replace(/s$/, '')));
  }
  const unsupported = claims.filter((c) => !c.supported);
  return { grounded: unsupported.length === 0, claims, unsupported, score: claims.length ? (claims.length - unsupported.length) / claims.length : 1 };
}
