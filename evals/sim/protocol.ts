import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { Turn } from './cassette.js';
import { contentText } from './keying.js';

/** The part of a chat-completions request the simulator reads; everything else is accepted and ignored. */
export const ChatRequestSchema = z
  .object({
    model: z.string().default('sim'),
    messages: z
      .array(
        z
          .object({
            role: z.string().min(1),
            content: z.unknown().optional(),
            tool_calls: z
              .array(
                z
                  .object({
                    id: z.string().optional(),
                    type: z.string().optional(),
                    function: z.object({ name: z.string().optional(), arguments: z.string().optional() }).loose().optional(),
                  })
                  .loose(),
              )
              .nullable()
              .optional(),
            tool_call_id: z.string().optional(),
            name: z.string().optional(),
          })
          .loose(),
      )
      .min(1),
    stream: z.boolean().nullable().optional(),
    stream_options: z.object({ include_usage: z.boolean().optional() }).loose().nullable().optional(),
    tools: z.array(z.unknown()).optional(),
  })
  .loose();
export type ChatRequest = z.infer<typeof ChatRequestSchema>;

export interface ResponseToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

export interface ResponseMessage {
  role: 'assistant';
  content: string | null;
  tool_calls?: ResponseToolCall[];
  refusal: null;
}

export interface Usage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
}

/** Token estimate: ceil(characters / 4), the usual rule of thumb; deterministic so cost numbers repeat. */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

/** Prompt tokens: every message's text and tool-call arguments, plus 4 per message for role framing. */
export function promptTokens(messages: ChatRequest['messages']): number {
  let n = 0;
  for (const m of messages) {
    n += 4 + estimateTokens(contentText(m.content));
    for (const c of m.tool_calls ?? []) n += estimateTokens(`${c.function?.name ?? ''}${c.function?.arguments ?? ''}`);
  }
  return n;
}

export function completionTokens(message: ResponseMessage): number {
  let n = estimateTokens(message.content ?? '');
  for (const c of message.tool_calls ?? []) n += estimateTokens(`${c.function.name}${c.function.arguments}`);
  return Math.max(n, 1);
}

let counter = 0;
/** Unique per completion (LangGraph silently drops messages whose ids repeat). */
export function completionId(): string {
  counter += 1;
  return `chatcmpl-sim${Date.now().toString(36)}${counter.toString(36)}${randomBytes(6).toString('hex')}`;
}

export function toolCallId(): string {
  return `call_${randomBytes(12).toString('hex')}`;
}

export function messageFromTurn(turn: Pick<Turn, 'content' | 'tool_calls'>): ResponseMessage {
  const calls = (turn.tool_calls ?? []).map(
    (c): ResponseToolCall => ({
      id: toolCallId(),
      type: 'function',
      function: { name: c.name, arguments: typeof c.arguments === 'string' ? c.arguments : JSON.stringify(c.arguments) },
    }),
  );
  return { role: 'assistant', content: turn.content ?? (calls.length ? null : ''), refusal: null, ...(calls.length ? { tool_calls: calls } : {}) };
}

export function finishReasonOf(message: ResponseMessage, override?: string): string {
  return override ?? (message.tool_calls?.length ? 'tool_calls' : 'stop');
}

export interface Answer {
  id: string;
  created: number;
  model: string;
  message: ResponseMessage;
  finishReason: string;
  usage: Usage;
}

export function completionBody(a: Answer): object {
  return {
    id: a.id,
    object: 'chat.completion',
    created: a.created,
    model: a.model,
    system_fingerprint: 'luminamind-sim',
    choices: [{ index: 0, message: a.message, logprobs: null, finish_reason: a.finishReason }],
    usage: a.usage,
  };
}

/** Content split into word-sized pieces so a stream has several deltas, as a real one does. */
function pieces(text: string, size: number): string[] {
  const words = text.match(/\S+\s*|\s+/g) ?? [];
  const out: string[] = [];
  for (let i = 0; i < words.length; i += size) out.push(words.slice(i, i + size).join(''));
  return out;
}

/** The SSE chunk objects of an answer in the real wire format (role delta, content deltas, tool-call deltas, finish, usage). */
export function streamChunks(a: Answer, includeUsage: boolean): object[] {
  const base = { id: a.id, object: 'chat.completion.chunk', created: a.created, model: a.model, system_fingerprint: 'luminamind-sim' };
  const chunk = (delta: object, finish: string | null = null): object => ({
    ...base,
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
    ...(includeUsage ? { usage: null } : {}),
  });
  const out: object[] = [chunk({ role: 'assistant', content: '', refusal: null })];
  for (const p of pieces(a.message.content ?? '', 2)) out.push(chunk({ content: p }));
  (a.message.tool_calls ?? []).forEach((c, index) => {
    out.push(chunk({ tool_calls: [{ index, id: c.id, type: 'function', function: { name: c.function.name, arguments: '' } }] }));
    const args = c.function.arguments;
    const step = Math.max(8, Math.ceil(args.length / 4));
    for (let i = 0; i < args.length; i += step) out.push(chunk({ tool_calls: [{ index, function: { arguments: args.slice(i, i + step) } }] }));
  });
  out.push(chunk({}, a.finishReason));
  if (includeUsage) out.push({ ...base, choices: [], usage: a.usage });
  return out;
}

/** The OpenAI error envelope; `extra` adds fields beside code (a miss adds `nearest`), which OpenAI clients keep on `err.error`. */
export function errorBody(message: string, code: string, status: number, extra: Record<string, unknown> = {}): object {
  const type = status === 429 ? 'rate_limit_error' : status >= 500 ? 'server_error' : status === 404 ? 'not_found_error' : 'invalid_request_error';
  return { error: { message, type, param: null, code, ...extra } };
}

/** Reads the assistant message out of a (non-streaming) upstream completion, for the recorder. */
export function upstreamMessage(body: unknown): { content: string | null; tool_calls?: { function: { name: string; arguments: string } }[] } | undefined {
  const choice = (body as { choices?: { message?: unknown }[] } | undefined)?.choices?.[0];
  const message = choice?.message as { content?: unknown; tool_calls?: { function: { name: string; arguments: string } }[] } | undefined;
  if (!message) return undefined;
  return { content: typeof message.content === 'string' ? message.content : null, ...(message.tool_calls ? { tool_calls: message.tool_calls } : {}) };
}
