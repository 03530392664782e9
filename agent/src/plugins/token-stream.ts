import { BaseCallbackHandler } from '@langchain/core/callbacks/base';
import { currentRequest } from './request-context.js';

/**
 * Streams model tokens to the SSE request whose run produced them. It asks LangChain to stream only while the
 * current request wants tokens, so JSON requests keep the plain (non-streaming) model calls. Awaited inline so
 * the async context, and with it the right request, is the caller's.
 */
export class RequestTokenStream extends BaseCallbackHandler {
  name = 'luminamind-request-tokens';

  constructor() {
    super({ _awaitHandler: true });
  }

  get lc_prefer_streaming(): boolean {
    return Boolean(currentRequest()?.onToken);
  }

  override handleLLMNewToken(token: string): void {
    if (token) currentRequest()?.onToken?.(token);
  }
}
