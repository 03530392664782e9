import { z } from 'zod';

/** One tool call made during a run (by the main agent or a subagent), with what it returned. */
export const ToolCallRecordSchema = z.object({
  id: z.string().optional(),
  name: z.string(),
  args: z.record(z.string(), z.unknown()),
  output: z.unknown(),
  error: z.boolean(),
  durationMs: z.number().nonnegative(),
});
export type ToolCallRecord = z.infer<typeof ToolCallRecordSchema>;

export const TodoSchema = z.object({
  content: z.string(),
  status: z.enum(['pending', 'in_progress', 'completed']),
});
export type Todo = z.infer<typeof TodoSchema>;

/** A mutating tool call waiting for a person's decision (policy `ask`). */
export const PendingActionSchema = z.object({
  name: z.string(),
  args: z.record(z.string(), z.unknown()),
  description: z.string().optional(),
  allowedDecisions: z.array(z.enum(['approve', 'edit', 'reject'])),
});
export type PendingAction = z.infer<typeof PendingActionSchema>;

/** One decision per pending action, in order (the original's HITL resume shape). */
export const DecisionSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('approve') }).strict(),
  z.object({ type: z.literal('reject'), message: z.string().max(2000).optional() }).strict(),
  z
    .object({
      type: z.literal('edit'),
      editedAction: z.object({ name: z.string(), args: z.record(z.string(), z.unknown()) }).strict(),
    })
    .strict(),
]);
export type Decision = z.infer<typeof DecisionSchema>;

export const UsageSchema = z.object({
  calls: z.number().int().nonnegative(),
  inputTokens: z.number().int().nonnegative(),
  outputTokens: z.number().int().nonnegative(),
  costUsd: z.number().nonnegative(),
});
export type Usage = z.infer<typeof UsageSchema>;

/** What one agent run returns, in process (`buildAgent().run`) and over HTTP (`POST /v1/chat`). */
export const RunResultSchema = z.object({
  threadId: z.string(),
  runId: z.string(),
  status: z.enum(['completed', 'awaiting_approval']),
  answer: z.string(),
  toolCalls: z.array(ToolCallRecordSchema),
  todos: z.array(TodoSchema),
  pendingActions: z.array(PendingActionSchema),
  usage: UsageSchema,
  latencyMs: z.number().nonnegative(),
});
export type RunResult = z.infer<typeof RunResultSchema>;
