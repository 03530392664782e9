import { AsyncLocalStorage } from 'node:async_hooks';
import type { FastifyBaseLogger } from 'fastify';
import type { Decision } from '../contract/run.js';

/** What the tool hooks need to know about the HTTP request whose run they are in. */
export interface RequestContext {
  readonly keyId: string;
  readonly threadId: string;
  readonly log: FastifyBaseLogger;
  /** The decisions this request resumed the run with (for the audit log of mutating tool calls). */
  readonly decisions?: readonly Decision[];
}

// Tool hooks fire deep inside LangGraph (and inside subagents); the async context reaches them untouched.
const storage = new AsyncLocalStorage<RequestContext>();

export function withRequestContext<T>(ctx: RequestContext, fn: () => Promise<T>): Promise<T> {
  return storage.run(ctx, fn);
}

export function currentRequest(): RequestContext | undefined {
  return storage.getStore();
}
