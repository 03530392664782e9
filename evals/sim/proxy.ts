import { writeCassetteFile } from './cassette.js';
import { SimUpstreamFailedError } from './errors.js';
import { type Answer, type ChatRequest, type ResponseMessage, upstreamMessage } from './protocol.js';
import { createRecorder } from './recorder.js';

/** Proxy mode: forward every completion to a real endpoint and write what it said as a cassette. */
export interface RecordOptions {
  /** Base URL of the real endpoint, ending in /v1 (e.g. https://api.openai.com/v1). */
  upstream: string;
  /** Cassette file to (re)write after every turn; .yaml/.yml or .json. */
  file: string;
  /** Cassette id; defaults to 'recorded'. */
  id?: string;
  /** Sent upstream as the bearer token; without it the client's own Authorization header is forwarded. */
  apiKey?: string;
}

/** What the upstream said: an answer to replay in the client's mode, or an HTTP error passed through unchanged. */
export type Forwarded = { message: ResponseMessage; usage?: Answer['usage'] } | { status: number; text: string };

export interface RecordingProxy {
  forward(body: ChatRequest, authorization: string | undefined): Promise<Forwarded>;
  /** Settles when every cassette write started so far has finished. */
  flushed(): Promise<void>;
}

/**
 * The recording proxy: each completion goes upstream as a non-streaming request, the answer is appended to the
 * cassette and the file rewritten (writes chained so turns land in order), then handed back for replay.
 *
 * @example
 *   const proxy = createRecordingProxy({ upstream: 'https://api.openai.com/v1', file: 'rec.yaml' }, () => stats.recorded++);
 */
export function createRecordingProxy(options: RecordOptions, onRecorded: () => void): RecordingProxy {
  const recorder = createRecorder({ id: options.id ?? 'recorded' });
  let writes = Promise.resolve();
  return {
    flushed: () => writes,
    async forward(body, authorization) {
      const { stream: _stream, stream_options: _opts, ...rest } = body;
      const auth = options.apiKey ? `Bearer ${options.apiKey}` : authorization;
      let r: Response;
      try {
        r = await fetch(`${options.upstream.replace(/\/+$/, '')}/chat/completions`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...(auth ? { authorization: auth } : {}) },
          body: JSON.stringify({ ...rest, stream: false }),
        });
      } catch (err) {
        throw new SimUpstreamFailedError((err as Error).message);
      }
      const text = await r.text();
      if (!r.ok) return { status: r.status, text };
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        throw new SimUpstreamFailedError(`upstream answered ${r.status} with a body that is not JSON`);
      }
      const m = upstreamMessage(json);
      if (!m) throw new SimUpstreamFailedError('upstream completion has no choices[0].message');
      recorder.recordTurn(body.messages, m);
      onRecorded();
      const cassette = recorder.cassette();
      const write = writes.then(() => writeCassetteFile(options.file, cassette));
      // One failed write must not poison the chain for later turns.
      writes = write.catch(() => undefined);
      await write;
      const calls = (m.tool_calls ?? []).map((c, i) => ({
        id: (c as { id?: string }).id ?? `call_rec${i}${Date.now().toString(36)}`,
        type: 'function' as const,
        function: { name: c.function.name, arguments: c.function.arguments },
      }));
      const message: ResponseMessage = { role: 'assistant', content: m.content, refusal: null, ...(calls.length ? { tool_calls: calls } : {}) };
      const usage = (json as { usage?: Answer['usage'] }).usage;
      return { message, ...(usage ? { usage } : {}) };
    },
  };
}
