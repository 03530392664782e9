import type { Cassette, Thread, Turn } from './cassette.js';
import { CassetteSchema } from './cassette.js';
import { type WireMessage, assistantEvent, contentText, eventsEqual, identityOf, normaliseText } from './keying.js';

/** What the model answered, in wire shape (the `message` of a completion choice). */
export interface RecordedMessage {
  content?: unknown;
  tool_calls?: readonly { function?: { name?: string; arguments?: string } }[] | null;
}

export interface Recorder {
  /** Adds the answer to the thread of this conversation (rebuilt from the request, so turns may arrive out of order or repeat). */
  recordTurn(requestMessages: readonly WireMessage[], response: RecordedMessage): void;
  cassette(): Cassette;
  readonly size: number;
}

function parseArgs(raw: string | undefined): Record<string, unknown> | string {
  try {
    const v: unknown = JSON.parse(raw ?? '{}');
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : (raw ?? '');
  } catch {
    return raw ?? '';
  }
}

function toTurn(m: RecordedMessage, users: string[]): Turn {
  const calls = (m.tool_calls ?? []).map((c) => ({ name: c.function?.name ?? '', arguments: parseArgs(c.function?.arguments) }));
  const text = contentText(m.content);
  return {
    ...(users.length ? { user: users.length === 1 ? users[0]! : users } : {}),
    ...(text || !calls.length ? { content: text } : {}),
    ...(calls.length ? { tool_calls: calls } : {}),
  };
}

function sameTurn(a: Turn, b: Turn): boolean {
  const users = (t: Turn): string => JSON.stringify((Array.isArray(t.user) ? t.user : t.user === undefined ? [] : [t.user]).map(normaliseText));
  return users(a) === users(b) && eventsEqual(assistantEvent(a.content ?? '', a.tool_calls ?? []), assistantEvent(b.content ?? '', b.tool_calls ?? []));
}

/** Rebuilds the turns a request implies (its earlier assistant messages) and appends the new answer. */
function threadOf(messages: readonly WireMessage[], response: RecordedMessage): Thread {
  const turns: Turn[] = [];
  let users: string[] = [];
  for (const m of messages) {
    if (m.role === 'user') users.push(contentText(m.content));
    else if (m.role === 'assistant') {
      turns.push(toTurn(m, users));
      users = [];
    }
  }
  turns.push(toTurn(response, users));
  const identity = identityOf(messages);
  return { agent: identity || '*', turns };
}

/**
 * Turns a recorded real conversation into a cassette, one thread per (identity, opening user messages).
 *
 * @example
 *   const rec = createRecorder({ id: 'weather-paris:recorded', model: 'gpt-4o-mini' });
 *   rec.recordTurn(request.messages, completion.choices[0].message);
 *   await writeCassetteFile('datasets/cassettes/weather-paris.yaml', rec.cassette());
 */
export function createRecorder(meta: { id: string; description?: string; model?: string }): Recorder {
  const threads = new Map<string, Thread>();
  return {
    recordTurn(requestMessages, response) {
      const next = threadOf(requestMessages, response);
      const key = JSON.stringify([normaliseText(next.agent), (next.turns[0]?.user === undefined ? [] : [next.turns[0].user].flat()).map(normaliseText)]);
      const prev = threads.get(key);
      const isPrefix = prev && next.turns.length <= prev.turns.length && next.turns.every((t, i) => sameTurn(t, prev.turns[i]!));
      if (!isPrefix) threads.set(key, next);
    },
    cassette() {
      return CassetteSchema.parse({
        id: meta.id,
        source: 'recorded',
        ...(meta.description ? { description: meta.description } : {}),
        ...(meta.model ? { model: meta.model } : {}),
        threads: [...threads.values()],
      });
    },
    get size() {
      return threads.size;
    },
  };
}
