import type { FastifyBaseLogger } from 'fastify';
import type { Decision } from '../contract/run.js';
import { currentRun } from '../graph/run-context.js';

/** What the tool hooks need to know about the HTTP request whose run they are in. */
export interface RequestContext {
  readonly keyId: string;
  readonly threadId: string;
  readonly log: FastifyBaseLogger;
  /** The decisions this request resumed the run with (for the audit log of mutating tool calls). */
  readonly decisions?: readonly Decision[];
}

// Tool hooks fire deep inside LangGraph (and inside subagents); the request rides in the run's own async context
// (RunInput.request) rather than an AsyncLocalStorage of its own: every live AsyncLocalStorage costs every promise
// of every request a propagation step, and a run makes ~1,000-1,800 of them.
export function currentRequest(): RequestContext | undefined {
  return currentRun()?.request as RequestContext | undefined;
}
