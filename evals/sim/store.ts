import type { Cassette, Turn } from './cassette.js';
import {
  type Conversation,
  type KeyEvent,
  assistantEvent,
  clip,
  conversationKey,
  describeEvent,
  eventsEqual,
  normaliseText,
} from './keying.js';

export interface CassetteHit {
  cassette: Cassette;
  thread: number;
  turn: number;
  response: Turn;
}

/** The thread a miss came closest to, for the error body (the message describes what differed). */
export interface NearestThread {
  cassette: string;
  thread: number;
  turns: number;
}

export type LookupResult = { hit: CassetteHit } | { miss: string; nearest?: NearestThread };

interface ThreadEntry {
  cassette: Cassette;
  thread: number;
  seq: number;
  agent: string;
  /** Undefined = any opening. */
  firstUsers: string[] | undefined;
  /** Per turn: the user messages that precede it (after the opening) and the turn as a key event. */
  extras: string[][];
  replies: KeyEvent[];
}

export interface CassetteSummary {
  id: string;
  description?: string;
  source: string;
  threads: number;
  turns: number;
}

const asList = (u: string | string[] | undefined): string[] | undefined => (u === undefined ? undefined : (Array.isArray(u) ? u : [u]).map(normaliseText));

function isWordChar(ch: string | undefined): boolean {
  return ch !== undefined && /[\w-]/.test(ch);
}

/** How well a thread's agent matches a request identity: 3 exact, 2 whole word inside it, 1 wildcard, 0 no. */
function agentScore(agent: string, identity: string): number {
  if (agent === '*') return 1;
  const a = agent.toLowerCase();
  const id = identity.toLowerCase();
  if (a === id) return 3;
  for (let i = id.indexOf(a); i >= 0; i = id.indexOf(a, i + 1)) {
    if (!isWordChar(id[i - 1]) && !isWordChar(id[i + a.length])) return 2 + Math.min(a.length, 999) / 1000;
  }
  return 0;
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** Dice similarity over character bigrams: cheap, good enough to rank the nearest opening message. */
function similarity(a: string, b: string): number {
  if (a === b) return 1;
  const grams = (s: string): Map<string, number> => {
    const m = new Map<string, number>();
    for (let i = 0; i < s.length - 1; i += 1) m.set(s.slice(i, i + 2), (m.get(s.slice(i, i + 2)) ?? 0) + 1);
    return m;
  };
  const ga = grams(a);
  const gb = grams(b);
  let common = 0;
  for (const [g, n] of ga) common += Math.min(n, gb.get(g) ?? 0);
  const total = Math.max(a.length - 1, 0) + Math.max(b.length - 1, 0);
  return total === 0 ? 0 : (2 * common) / total;
}

function expectedEvents(e: ThreadEntry, turn: number): KeyEvent[] {
  const out: KeyEvent[] = [];
  const upto = Math.min(turn, e.replies.length);
  for (let i = 0; i < upto; i += 1) {
    if (i > 0) for (const text of e.extras[i] ?? []) out.push({ kind: 'user', text });
    out.push(e.replies[i]!);
  }
  if (turn > 0 && turn < e.replies.length) for (const text of e.extras[turn] ?? []) out.push({ kind: 'user', text });
  return out;
}

function commonPrefix(a: readonly KeyEvent[], b: readonly KeyEvent[]): number {
  let k = 0;
  while (k < a.length && k < b.length && eventsEqual(a[k]!, b[k]!)) k += 1;
  return k;
}

/** Holds loaded cassettes, indexed by opening user message, and answers lookups (and near misses). */
export class CassetteStore {
  private readonly byCassette = new Map<string, ThreadEntry[]>();
  private readonly byOpening = new Map<string, ThreadEntry[]>();
  private readonly anyOpening: ThreadEntry[] = [];
  private seq = 0;

  load(cassettes: readonly Cassette[]): string[] {
    for (const c of cassettes) {
      this.byCassette.delete(c.id);
      const entries = c.threads.map((t, thread): ThreadEntry => ({
        cassette: c,
        thread,
        seq: (this.seq += 1),
        agent: t.agent === '*' ? '*' : normaliseText(t.agent),
        firstUsers: asList(t.user) ?? asList(t.turns[0]?.user),
        extras: t.turns.map((turn, i) => (i === 0 ? [] : (asList(turn.user) ?? []))),
        replies: t.turns.map((turn) => assistantEvent(turn.content ?? '', turn.tool_calls ?? [])),
      }));
      this.byCassette.set(c.id, entries);
    }
    this.reindex();
    return cassettes.map((c) => c.id);
  }

  clear(): void {
    this.byCassette.clear();
    this.reindex();
  }

  has(id: string): boolean {
    return this.byCassette.has(id);
  }

  list(): CassetteSummary[] {
    return [...this.byCassette.values()].map((entries) => {
      const c = entries[0]!.cassette;
      return {
        id: c.id,
        source: c.source,
        threads: c.threads.length,
        turns: c.threads.reduce((n, t) => n + t.turns.length, 0),
        ...(c.description ? { description: c.description } : {}),
      };
    });
  }

  private reindex(): void {
    this.byOpening.clear();
    this.anyOpening.length = 0;
    for (const entries of this.byCassette.values()) {
      for (const e of entries) {
        if (!e.firstUsers) this.anyOpening.push(e);
        else {
          const k = JSON.stringify(e.firstUsers);
          this.byOpening.set(k, [...(this.byOpening.get(k) ?? []), e]);
        }
      }
    }
  }

  /** Finds the turn for a request; `only` restricts the search to one cassette id. Fails closed with the nearest thread described. */
  lookup(conv: Conversation, only?: string): LookupResult {
    if (only !== undefined && !this.byCassette.has(only)) {
      return { miss: `Cassette '${only}' (selected by the request) is not loaded; loaded: ${this.ids() || 'none'}.` };
    }
    const pool = [...(this.byOpening.get(JSON.stringify(conv.firstUsers)) ?? []), ...this.anyOpening].filter(
      (e) => only === undefined || e.cassette.id === only,
    );
    let best: { e: ThreadEntry; rank: number } | undefined;
    for (const e of pool) {
      const a = agentScore(e.agent, conv.identity);
      if (a === 0 || conv.turn >= e.replies.length) continue;
      const expected = expectedEvents(e, conv.turn);
      if (expected.length !== conv.events.length || commonPrefix(expected, conv.events) !== expected.length) continue;
      const rank = a * 10 + (e.firstUsers ? 5 : 0) + e.seq / 1e9;
      if (!best || rank > best.rank) best = { e, rank };
    }
    if (best) {
      const { e } = best;
      return { hit: { cassette: e.cassette, thread: e.thread, turn: conv.turn, response: e.cassette.threads[e.thread]!.turns[conv.turn]! } };
    }
    return this.describeMiss(conv, only);
  }

  private ids(): string {
    return [...this.byCassette.keys()].join(', ');
  }

  private describeMiss(conv: Conversation, only?: string): { miss: string; nearest?: NearestThread } {
    const request = `Request: identity ${JSON.stringify(clip(conv.identity))}, opening user ${JSON.stringify(clip(conv.firstUsers.join(' | ')))}, asks for turn ${conv.turn} (${conv.events.length} later event(s), ${conv.toolResults} tool result(s)), key ${conversationKey(conv)}.`;
    const all = [...this.byCassette.values()].flat().filter((e) => only === undefined || e.cassette.id === only);
    if (all.length === 0) return { miss: `No cassettes are loaded. ${request}` };
    const opening = conv.firstUsers.join(' | ');
    let best: { e: ThreadEntry; score: number; agentOk: boolean; userOk: boolean; prefix: number; expected: KeyEvent[] } | undefined;
    for (const e of all) {
      const agentOk = agentScore(e.agent, conv.identity) > 0;
      const userOk = !e.firstUsers || sameList(e.firstUsers, conv.firstUsers);
      const expected = expectedEvents(e, conv.turn);
      const prefix = commonPrefix(expected, conv.events);
      const sim = e.firstUsers ? similarity(e.firstUsers.join(' | '), opening) : 0.5;
      const score = (agentOk ? 4000 : 0) + (userOk ? 2000 : 0) + prefix * 10 + sim + e.seq / 1e9;
      if (!best || score > best.score) best = { e, score, agentOk, userOk, prefix, expected };
    }
    const { e, agentOk, userOk, prefix, expected } = best!;
    const where = `cassette '${e.cassette.id}' thread ${e.thread} (agent ${JSON.stringify(clip(e.agent, 60))}, ${e.replies.length} turn(s))`;
    let diff: string;
    if (!agentOk) diff = `the system prompt identity differs: cassette expects ${JSON.stringify(clip(e.agent))}, request has ${JSON.stringify(clip(conv.identity))}`;
    else if (!userOk) diff = `the opening user message differs: cassette has ${JSON.stringify(clip(e.firstUsers!.join(' | ')))}, request has ${JSON.stringify(clip(opening))}`;
    else if (conv.turn >= e.replies.length && prefix === expected.length)
      diff = `the thread ends after ${e.replies.length} turn(s) but the agent asked for turn ${conv.turn + 1}`;
    else diff = `after the opening, event ${prefix + 1} differs: cassette expects ${describeEvent(expected[prefix])}, request has ${describeEvent(conv.events[prefix])}`;
    return { miss: `Nearest: ${where}: ${diff}. ${request}`, nearest: { cassette: e.cassette.id, thread: e.thread, turns: e.replies.length } };
  }
}
