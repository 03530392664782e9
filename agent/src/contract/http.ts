import { z } from 'zod';
import { DecisionSchema, PendingActionSchema, TodoSchema, UsageSchema } from './run.js';

/** Thread ids are also directory names under WORKSPACE_ROOT, so the alphabet is closed. */
export const ThreadIdSchema = z.string().regex(/^[A-Za-z0-9_-]{1,128}$/);
export const MESSAGE_MAX_CHARS = 32_000;

export const ChatRequestSchema = z
  .object({
    thread_id: ThreadIdSchema.optional(),
    message: z.string().min(1).max(MESSAGE_MAX_CHARS),
  })
  .strict();
export type ChatRequest = z.infer<typeof ChatRequestSchema>;

export const ToolCallViewSchema = z.object({
  id: z.string().optional(),
  name: z.string(),
  args: z.record(z.string(), z.unknown()),
  output: z.unknown(),
  error: z.boolean(),
  duration_ms: z.number(),
});

/** What `POST /v1/chat` and `POST /v1/threads/:id/approvals` return (snake_case on the wire). */
export const ChatResponseSchema = z.object({
  thread_id: z.string(),
  run_id: z.string(),
  status: z.enum(['completed', 'awaiting_approval']),
  answer: z.string(),
  tool_calls: z.array(ToolCallViewSchema),
  todos: z.array(TodoSchema),
  pending_actions: z.array(PendingActionSchema),
  usage: UsageSchema,
  latency_ms: z.number(),
  /** 0–1: answer validation and grounding against this run's tool outputs; 1 when nothing needed support. */
  confidence: z.number().min(0).max(1),
});
export type ChatResponse = z.infer<typeof ChatResponseSchema>;

export const ApprovalRequestSchema = z.object({ decisions: z.array(DecisionSchema).min(1).max(100) }).strict();
export type ApprovalRequest = z.infer<typeof ApprovalRequestSchema>;

export const ThreadParamsSchema = z.object({ id: ThreadIdSchema }).strict();

export const FeedbackRequestSchema = z
  .object({
    thread_id: ThreadIdSchema,
    run_id: z.string().min(1).max(128),
    rating: z.enum(['good', 'bad']),
    category: z
      .string()
      .regex(/^[a-z0-9_-]{1,32}$/)
      .optional(),
  })
  .strict();
export type FeedbackRequest = z.infer<typeof FeedbackRequestSchema>;

export const ThreadHistorySchema = z.object({
  thread_id: z.string(),
  messages: z.array(
    z.object({
      role: z.enum(['user', 'assistant', 'tool', 'system']),
      content: z.string(),
      tool_calls: z.array(z.object({ name: z.string(), args: z.record(z.string(), z.unknown()) })).optional(),
      name: z.string().optional(),
    }),
  ),
});
export type ThreadHistory = z.infer<typeof ThreadHistorySchema>;

export const ErrorResponseSchema = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    /** Model errors: the endpoints tried, by host. */
    endpoints: z.array(z.string()).optional(),
    /** AGT_ERR_MODEL_REJECTED: the model endpoint's own answer (status, code, message, extra fields). */
    upstream: z.record(z.string(), z.unknown()).optional(),
  }),
});
export type ErrorResponse = z.infer<typeof ErrorResponseSchema>;

export const ReadyResponseSchema = z.object({
  status: z.enum(['ready', 'degraded', 'unavailable']),
  checks: z.record(z.string(), z.object({ ok: z.boolean(), degraded: z.boolean().optional(), latency_ms: z.number(), detail: z.string().optional() })),
  failing: z.array(z.string()),
});
export type ReadyResponse = z.infer<typeof ReadyResponseSchema>;

/** A JSON Schema (draft-07, fastify's Ajv dialect) for route validation and OpenAPI. */
export function jsonSchemaOf(schema: z.ZodType): Record<string, unknown> {
  const { $schema: _drop, ...rest } = z.toJSONSchema(schema, { target: 'draft-7', io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  return rest;
}
