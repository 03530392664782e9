import type { ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Faults } from './faults.js';
import { type Answer, completionBody, estimateTokens, streamChunks } from './protocol.js';

/**
 * Writing one answer on the raw response, in the client's mode, paced and possibly cut by the faults. Works on
 * node's ServerResponse (the route hijacks fastify's reply) because a cut must drop the socket mid-body.
 * Each function resolves true when the whole answer went out.
 */

/** Drops the connection once what was written has reached the socket, so the client really sees a partial answer. */
async function cut(res: ServerResponse, onCut: () => void): Promise<false> {
  onCut();
  await new Promise<void>((resolve) => res.write('', () => resolve()));
  await sleep(5);
  res.destroy();
  return false;
}

/** SSE: `data: {chunk}` per delta, then `data: [DONE]`; ttftMs before the first chunk, then tokensPerSecond pacing. */
export async function writeStream(res: ServerResponse, answer: Answer, includeUsage: boolean, f: Faults, headers: Record<string, string>, onCut: () => void): Promise<boolean> {
  const chunks = streamChunks(answer, includeUsage);
  const cutAt = f.cutStream === true ? Math.max(1, Math.floor(chunks.length / 2)) : f.cutStream === false ? Infinity : f.cutStream;
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive', ...headers });
  res.flushHeaders();
  if (f.ttftMs) await sleep(f.ttftMs);
  let owedMs = 0;
  for (let i = 0; i < chunks.length; i += 1) {
    if (res.destroyed) return false;
    if (i >= cutAt) return cut(res, onCut);
    if (f.tokensPerSecond > 0 && i > 0) {
      owedMs += (estimateTokens(JSON.stringify((chunks[i] as { choices: { delta?: unknown }[] }).choices[0]?.delta ?? '')) / f.tokensPerSecond) * 1000;
      if (owedMs >= 5) {
        await sleep(owedMs);
        owedMs = 0;
      }
    }
    res.write(`data: ${JSON.stringify(chunks[i])}\n\n`);
  }
  if (cutAt !== Infinity) return cut(res, onCut);
  res.end('data: [DONE]\n\n');
  return true;
}

/** One JSON completion after ttftMs + completion_tokens / tokensPerSecond; a cutStream fault sends half the body. */
export async function writeJson(res: ServerResponse, answer: Answer, f: Faults, headers: Record<string, string>, onCut: () => void): Promise<boolean> {
  const wait = f.ttftMs + (f.tokensPerSecond > 0 ? (answer.usage.completion_tokens / f.tokensPerSecond) * 1000 : 0);
  if (wait > 0) await sleep(wait);
  const text = JSON.stringify(completionBody(answer));
  if (res.destroyed) return false;
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  if (f.cutStream !== false) {
    res.write(text.slice(0, Math.floor(text.length / 2)));
    return cut(res, onCut);
  }
  res.end(text);
  return true;
}
