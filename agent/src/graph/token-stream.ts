import { BaseCallbackHandler } from '@langchain/core/callbacks/base';
import type { Serialized } from '@langchain/core/load/serializable';
import type { BaseMessage } from '@langchain/core/messages';
import { currentRun } from './run-context.js';

/** Where a streamed token comes from: one model message (`messageId`) of the main agent or of a subagent. */
export interface TokenSource {
  readonly messageId: string;
  /** The subagent's name (`code-executor`, …); undefined for the main agent. */
  readonly agent?: string;
}

/**
 * Streams model tokens to the run that produced them (`RunInput.onToken`), also from subagents, each token
 * tagged with the message and agent it belongs to. It asks LangChain to stream only while the current run
 * wants tokens, so other runs keep plain model calls. Awaited inline so the async context, and with it the
 * right run, is the caller's.
 */
export class RunTokenStream extends BaseCallbackHandler {
  name = 'luminamind-run-tokens';
  // deepagents names each subagent run in its metadata (lc_agent_name); model runs inherit it.
  private readonly agentOf = new Map<string, string | undefined>();

  constructor() {
    super({ _awaitHandler: true });
  }

  get lc_prefer_streaming(): boolean {
    return Boolean(currentRun()?.onToken);
  }

  override handleChatModelStart(_llm: Serialized, _messages: BaseMessage[][], runId: string, _parent?: string, _extra?: Record<string, unknown>, _tags?: string[], metadata?: Record<string, unknown>): void {
    if (!currentRun()?.onToken) return;
    const agent = metadata?.lc_agent_name;
    this.agentOf.set(runId, typeof agent === 'string' ? agent : undefined);
  }

  override handleLLMNewToken(token: string, _idx: unknown, runId: string): void {
    if (token) currentRun()?.onToken?.(token, { messageId: runId, agent: this.agentOf.get(runId) });
  }

  override handleLLMEnd(_output: unknown, runId: string): void {
    this.agentOf.delete(runId);
  }

  override handleLLMError(_err: unknown, runId: string): void {
    this.agentOf.delete(runId);
  }
}
