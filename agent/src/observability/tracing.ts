import { context, diag, propagation, trace, DiagLogLevel, SpanKind, SpanStatusCode, type Attributes, type Context, type Span, type Tracer } from '@opentelemetry/api';
import type { SpanExporter } from '@opentelemetry/sdk-trace-base';
import type { Config } from '../config.js';
import { SERVICE_VERSION } from '../version.js';

export const SERVICE_NAME = 'luminamind';

/** The gRPC port of an OTLP collector; we export OTLP/HTTP, whose port is 4318. */
const OTLP_GRPC_PORT = '4317';

export interface TracingLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export interface TracingOptions {
  /** Replaces the OTLP/HTTP exporter (tests pass an InMemorySpanExporter); tracing starts even without an endpoint. */
  readonly exporter?: SpanExporter;
  /** Where SDK diagnostics (failed exports) and the start line go. */
  readonly log?: TracingLogger;
}

export interface Tracing {
  /** Where spans go: `<endpoint>/v1/traces`, or `custom` for an injected exporter. */
  readonly url: string;
  forceFlush(): Promise<void>;
  /** Exports what is still buffered, then stops; the API returns to its no-op state. */
  shutdown(): Promise<void>;
}

let tracer: Tracer | undefined;

export function tracingEnabled(): boolean {
  return tracer !== undefined;
}

/** OTLP/HTTP traces URL from OTEL_EXPORTER_OTLP_ENDPOINT (a base URL per the OTel spec; a full /v1/traces URL is kept). */
export function otlpTracesUrl(endpoint: string): string {
  const base = endpoint.replace(/\/+$/, '');
  return base.endsWith('/v1/traces') ? base : `${base}/v1/traces`;
}

/**
 * Starts OpenTelemetry tracing when `config.otel.endpoint` is set: a Node tracer provider (AsyncLocalStorage
 * context), a batch processor and an OTLP/HTTP (JSON) exporter, resource service.name=luminamind. Without an
 * endpoint it returns undefined and loads no SDK at all: the span helpers below then call straight through.
 *
 * @example
 *   const tracing = await startTracing(config, { log });
 *   // … on shutdown
 *   await tracing?.shutdown();
 */
export async function startTracing(config: Config, options: TracingOptions = {}): Promise<Tracing | undefined> {
  const endpoint = config.otel.endpoint;
  if (!endpoint && !options.exporter) return undefined;
  if (tracer) throw new Error('tracing is already started in this process');
  // Loaded only when tracing is on, so an unconfigured service carries no SDK.
  const [{ NodeTracerProvider }, { BatchSpanProcessor }, { resourceFromAttributes }, { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION }] = await Promise.all([
    import('@opentelemetry/sdk-trace-node'),
    import('@opentelemetry/sdk-trace-base'),
    import('@opentelemetry/resources'),
    import('@opentelemetry/semantic-conventions'),
  ]);
  const url = endpoint && !options.exporter ? otlpTracesUrl(endpoint) : 'custom';
  let exporter = options.exporter;
  if (!exporter) {
    const { OTLPTraceExporter } = await import('@opentelemetry/exporter-trace-otlp-http');
    exporter = new OTLPTraceExporter({ url, timeoutMillis: 10_000 });
  }
  const log = options.log;
  if (log) {
    const warn = (message: string, ...args: unknown[]) => log.warn({ detail: args.map(String).join(' ').slice(0, 500) }, `otel: ${message}`);
    const quiet = () => undefined;
    diag.setLogger({ error: warn, warn, info: quiet, debug: quiet, verbose: quiet }, DiagLogLevel.WARN);
  }
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: SERVICE_NAME, [ATTR_SERVICE_VERSION]: SERVICE_VERSION }),
    // Explicit batch settings rather than OTEL_BSP_* from the environment: config is read in config.ts only.
    spanProcessors: [new BatchSpanProcessor(exporter, { maxQueueSize: 2048, maxExportBatchSize: 512, scheduledDelayMillis: 2_000, exportTimeoutMillis: 10_000 })],
  });
  // Global registration installs the AsyncLocalStorage context manager and the W3C traceparent propagator.
  provider.register();
  tracer = provider.getTracer(SERVICE_NAME, SERVICE_VERSION);
  if (url !== 'custom' && new URL(url).port === OTLP_GRPC_PORT) {
    log?.warn({ url }, 'tracing_endpoint_is_grpc_port: LuminaMind exports OTLP/HTTP; point OTEL_EXPORTER_OTLP_ENDPOINT at the collector port 4318');
  }
  log?.info({ url, protocol: 'http/json' }, 'tracing_enabled');
  let stopped: Promise<void> | undefined;
  return {
    url,
    forceFlush: () => provider.forceFlush(),
    shutdown: () =>
      (stopped ??= (async () => {
        tracer = undefined;
        try {
          await provider.shutdown();
        } finally {
          trace.disable();
          context.disable();
          propagation.disable();
          diag.disable();
        }
      })()),
  };
}

/** A stable, non-secret code for an error: our code (AGT_ERR_…), else its HTTP status, else its own code or class name. */
export function errorCodeOf(err: unknown): string {
  if (typeof err === 'object' && err !== null) {
    const { code, status, name } = err as { code?: unknown; status?: unknown; name?: unknown };
    if (typeof code === 'string' && /^[A-Z]+_ERR_/.test(code)) return code;
    if (typeof status === 'number') return `HTTP_${status}`;
    if (typeof code === 'string' && code) return code;
    if (typeof name === 'string' && name) return name;
  }
  return 'unknown';
}

/** Marks a span failed with a code; the message is not recorded since it may quote user input or tool output. */
export function markSpanError(span: Span, code: string, err?: unknown): void {
  span.setStatus({ code: SpanStatusCode.ERROR, message: code });
  span.setAttribute('error', true);
  span.setAttribute('error.code', code);
  if (err !== undefined) span.setAttribute('error.type', err instanceof Error ? err.constructor.name : typeof err);
}

/** Starts a span under the active one (undefined, at no cost, when tracing is off). */
export function startSpan(name: string, attributes?: Attributes, parent: Context = context.active()): Span | undefined {
  return tracer?.startSpan(name, { attributes }, parent);
}

/** Starts a SERVER span under a remote parent (the request's traceparent); undefined when tracing is off. */
export function startServerSpan(name: string, carrier: Record<string, unknown>, attributes?: Attributes): Span | undefined {
  if (!tracer) return undefined;
  const parent = propagation.extract(context.active(), carrier);
  return tracer.startSpan(name, { kind: SpanKind.SERVER, attributes }, parent);
}

/** Runs `fn` with `span` active, so spans started anywhere down its async chain become its children. */
export function runInSpan<T>(span: Span | undefined, fn: () => T): T {
  return span ? context.with(trace.setSpan(context.active(), span), fn) : fn();
}

/**
 * Runs `fn` inside a new active span, ending it when `fn` settles; a throw marks it ERROR with the error's code.
 * With tracing off `fn` runs directly (it receives undefined).
 */
export async function withSpan<T>(name: string, attributes: Attributes, fn: (span: Span | undefined) => Promise<T>): Promise<T> {
  const span = startSpan(name, attributes);
  if (!span) return fn(undefined);
  try {
    return await runInSpan(span, () => fn(span));
  } catch (err) {
    markSpanError(span, errorCodeOf(err), err);
    throw err;
  } finally {
    span.end();
  }
}
