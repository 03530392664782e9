import type { z } from 'zod';
import type { Config } from '../../config.js';

/** A security-relevant event a tool saw (refused path, blocked command, refused URL…). */
export interface SecurityEvent {
  type: 'path_traversal' | 'shell_blocked' | 'ssrf_blocked' | 'tls_error' | 'sandbox_off';
  tool: string;
  detail: Record<string, unknown>;
}

/** What every tool run receives: where it may touch files, the frozen config, and hooks for telemetry. */
export interface ToolContext {
  /** Absolute, symlink-resolved root that every path of this run must stay inside. */
  readonly workspaceRoot: string;
  readonly config: Config;
  readonly signal?: AbortSignal;
  /** Called for refused or suspicious inputs; the service counts and audit-logs them. */
  readonly onSecurityEvent?: (event: SecurityEvent) => void;
}

/** A refusal or failure reported to the model as data (the original's `{error: true, message}` shape). */
export interface ToolErrorResult {
  error: true;
  message: string;
  /** Stable error code from docs/ERRORS.md, when the failure has one. */
  code?: string;
  [extra: string]: unknown;
}

export type ToolResult = string | ToolErrorResult | Record<string, unknown>;

/**
 * One agent tool: name and arguments as in the original Python service, validated by `schema`
 * before `run` sees them. `mutating` tools need human approval under the `ask` policy and are never cached.
 *
 * @example
 *   export const osInfo = defineTool({
 *     name: 'os_info', description: 'Facts about the host OS', schema: z.object({}), mutating: false,
 *     run: async () => ({ error: false, platform: 'Linux' }),
 *   });
 */
export interface ToolDefinition<S extends z.ZodType = z.ZodType> {
  readonly name: string;
  readonly description: string;
  readonly schema: S;
  readonly mutating: boolean;
  run(input: z.infer<S>, ctx: ToolContext): Promise<ToolResult>;
}

export function defineTool<S extends z.ZodType>(tool: ToolDefinition<S>): ToolDefinition<S> {
  return tool;
}

export function toolError(message: string, code?: string, extra: Record<string, unknown> = {}): ToolErrorResult {
  return { error: true, message, ...(code ? { code } : {}), ...extra };
}

export function isToolError(result: ToolResult): result is ToolErrorResult {
  return typeof result === 'object' && result !== null && (result as { error?: unknown }).error === true;
}
