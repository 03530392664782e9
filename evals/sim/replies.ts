import type { FastifyReply } from 'fastify';
import { errorBody } from './protocol.js';

export interface CodedError {
  code: string;
  message: string;
  statusCode?: number;
}

/** Every error in the OpenAI envelope `{error: {message, type, param, code, ...extra}}`, as application/json (fastify adds `; charset=utf-8`). */
export function sendError(reply: FastifyReply, err: CodedError, status = err.statusCode ?? 500, headers: Record<string, string> = {}, extra: Record<string, unknown> = {}): FastifyReply {
  return reply
    .code(status)
    .headers(headers)
    .send(errorBody(err.message, err.code, status, extra));
}

export function sendJson(reply: FastifyReply, body: unknown): FastifyReply {
  return reply.code(200).send(body);
}

export function zodMessage(err: { issues: readonly { path: readonly PropertyKey[]; message: string }[] }): string {
  return err.issues.map((i) => `${i.path.map(String).join('.') || '(root)'}: ${i.message}`).join('; ');
}
