import { createHash } from 'node:crypto';

/** One OpenAI chat message as it arrives on the wire (only the fields the key reads are typed). */
export interface WireMessage {
  role: string;
  content?: unknown;
  tool_calls?: readonly { id?: string; type?: string; function?: { name?: string; arguments?: string } }[] | null;
  tool_call_id?: string;
  name?: string;
}

/** A model turn reduced to what enters a key: normalised content and canonical tool calls. */
export interface AssistantEvent {
  kind: 'assistant';
  content: string;
  toolCalls: string[];
}
export interface UserEvent {
  kind: 'user';
  text: string;
}
export type KeyEvent = AssistantEvent | UserEvent;

/** What the simulator keys a request on; tool results and later system messages are deliberately absent. */
export interface Conversation {
  identity: string;
  /** The user messages before the first assistant turn (the thread's opening). */
  firstUsers: string[];
  /** Everything after the opening: later user turns and the model's own earlier turns, in order. */
  events: KeyEvent[];
  /** How many assistant turns the request already holds: the index of the turn it asks for. */
  turn: number;
  /** How many tool results the request carries (diagnostics only; never in the key). */
  toolResults: number;
}

const MAX_IDENTITY = 200;

// The patterns below are linear (no nested ambiguous quantifiers); the plugin's heuristic flags optional groups.
/* eslint-disable security/detect-unsafe-regex */
const RULES: readonly [RegExp, string][] = [
  [/\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi, '<uuid>'],
  [/\b\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?/g, '<time>'],
  [/\b\d{1,2}:\d{2}:\d{2}(?:\.\d+)?\b/g, '<time>'],
  [/(?:\/private)?\/var\/folders\/[^/\s]+\/[^/\s]+\/T\/[^/\s'"`)\]]+/g, '<tmp>'],
  [/(?:\/private)?\/(?:var\/)?tmp\/[^/\s'"`)\]]+/g, '<tmp>'],
  [/[A-Za-z]:\\(?:[^\\\s]+\\)*?Temp\\[^\\\s'"`)\]]+/g, '<tmp>'],
  [/\b\d+(?:\.\d+)?\s?(?:ms|milliseconds?)\b/g, '<dur>'],
  [/\b\d+\.\d+\s?(?:s|secs?|seconds?)\b/g, '<dur>'],
  [/\b(?=[0-9a-f]*\d)(?=[0-9a-f]*[a-f])[0-9a-f]{12,}\b/gi, '<hex>'],
  [/\b\d{10,}\b/g, '<num>'],
];
/* eslint-enable security/detect-unsafe-regex */

/**
 * Removes what differs between machines and runs but not in meaning: UUIDs, timestamps (a date with a time, or a time with seconds; plain dates are kept), temporary
 * directories (the first path segment under /tmp etc.), durations (ms, or fractional seconds), long hex ids and long digit runs (epoch
 * times, ids). Whitespace is collapsed so trailing newlines never matter.
 */
export function normaliseText(text: string): string {
  let out = text;
  for (const [pattern, token] of RULES) out = out.replace(pattern, token);
  return out.replace(/\s+/g, ' ').trim();
}

/** Text of an OpenAI content field: a string, null, or an array of parts (non-text parts become a marker). */
export function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .map((part: unknown) => {
      if (typeof part === 'string') return part;
      if (part && typeof part === 'object' && 'text' in part && typeof part.text === 'string') return part.text;
      return part && typeof part === 'object' && 'type' in part ? `[${String(part.type)}]` : '';
    })
    .join('');
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, sortKeys((value as Record<string, unknown>)[k])]),
    );
  }
  return value;
}

/** Tool-call arguments as canonical JSON (sorted keys) so the client's serialisation order never matters. */
export function canonicalArguments(args: unknown): string {
  if (typeof args === 'string') {
    try {
      return JSON.stringify(sortKeys(JSON.parse(args)));
    } catch {
      return args;
    }
  }
  return JSON.stringify(sortKeys(args ?? {}));
}

export function toolCallKey(name: string, args: unknown): string {
  return `${name}(${normaliseText(canonicalArguments(args))})`;
}

export function assistantEvent(content: unknown, toolCalls: readonly { name: string; arguments: unknown }[]): AssistantEvent {
  return { kind: 'assistant', content: normaliseText(contentText(content)), toolCalls: toolCalls.map((c) => toolCallKey(c.name, c.arguments)) };
}

/**
 * The system prompt's identity: the first non-empty line of the first system (or developer) message,
 * normalised and capped, so rewording the body of a prompt never breaks a cassette. No system message → ''.
 */
export function identityOf(messages: readonly WireMessage[]): string {
  const system = messages.find((m) => m.role === 'system' || m.role === 'developer');
  if (!system) return '';
  const line = contentText(system.content)
    .split('\n')
    .map((l) => l.trim())
    .find((l) => l.length > 0);
  return normaliseText(line ?? '').slice(0, MAX_IDENTITY);
}

/** Reduces a request's messages to the parts the simulator keys on. */
export function conversationOf(messages: readonly WireMessage[]): Conversation {
  const firstUsers: string[] = [];
  const events: KeyEvent[] = [];
  let turn = 0;
  let toolResults = 0;
  for (const m of messages) {
    if (m.role === 'user') {
      const text = normaliseText(contentText(m.content));
      if (turn === 0) firstUsers.push(text);
      else events.push({ kind: 'user', text });
    } else if (m.role === 'assistant') {
      const calls = (m.tool_calls ?? []).map((c) => ({ name: c.function?.name ?? '', arguments: c.function?.arguments ?? '{}' }));
      events.push(assistantEvent(m.content, calls));
      turn += 1;
    } else if (m.role === 'tool' || m.role === 'function') {
      toolResults += 1;
    }
  }
  return { identity: identityOf(messages), firstUsers, events, turn, toolResults };
}

export function describeEvent(e: KeyEvent | undefined): string {
  if (!e) return 'nothing';
  if (e.kind === 'user') return `user ${JSON.stringify(clip(e.text))}`;
  const calls = e.toolCalls.length ? ` tool_calls ${clip(e.toolCalls.join(', '))}` : '';
  return `assistant${e.content ? ` ${JSON.stringify(clip(e.content))}` : ''}${calls}`;
}

export function eventsEqual(a: KeyEvent, b: KeyEvent): boolean {
  if (a.kind !== b.kind) return false;
  if (a.kind === 'user') return a.text === (b as UserEvent).text;
  const bb = b as AssistantEvent;
  return a.content === bb.content && a.toolCalls.length === bb.toolCalls.length && a.toolCalls.every((c, i) => c === bb.toolCalls[i]);
}

export function clip(text: string, max = 80): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** A short stable hash of a conversation (identity, opening user turns, later events), shown in misses and headers. */
export function conversationKey(c: Pick<Conversation, 'identity' | 'firstUsers' | 'events'>): string {
  const material = JSON.stringify([c.identity, c.firstUsers, c.events.map((e) => (e.kind === 'user' ? ['u', e.text] : ['a', e.content, e.toolCalls]))]);
  return createHash('sha256').update(material).digest('hex').slice(0, 16);
}
