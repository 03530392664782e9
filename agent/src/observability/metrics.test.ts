import { describe, expect, it } from 'vitest';
import { createMetrics, errorTypeOf, monitorTool } from './metrics.js';

type Spec = { type: 'counter' | 'gauge' | 'histogram'; labels: string[]; buckets?: number[] };

// The original's monitoring guide (names, types, labels, buckets), transcribed independently of metrics.ts so a drift in either shows up here.
const REQUIRED: Record<string, Spec> = {
  luminamind_requests_total: { type: 'counter', labels: ['method', 'endpoint', 'status'] },
  luminamind_request_duration_seconds: { type: 'histogram', labels: ['method', 'endpoint'], buckets: [0.1, 0.5, 1, 2, 5, 10, 30] },
  luminamind_tool_invocations_total: { type: 'counter', labels: ['tool_name', 'status'] },
  luminamind_tool_duration_seconds: { type: 'histogram', labels: ['tool_name'], buckets: [0.1, 0.5, 1, 2, 5, 10, 30, 60] },
  luminamind_tool_errors_total: { type: 'counter', labels: ['tool_name', 'error_type'] },
  luminamind_llm_requests_total: { type: 'counter', labels: ['provider', 'model', 'status'] },
  luminamind_llm_tokens_total: { type: 'counter', labels: ['provider', 'model', 'type'] },
  luminamind_llm_latency_seconds: { type: 'histogram', labels: ['provider', 'model'], buckets: [0.5, 1, 2, 5, 10, 20, 30] },
  luminamind_llm_cost_usd: { type: 'counter', labels: ['provider', 'model'] },
  luminamind_cache_operations_total: { type: 'counter', labels: ['operation', 'result'] },
  luminamind_cache_size_bytes: { type: 'gauge', labels: [] },
  luminamind_response_quality_total: { type: 'counter', labels: ['category', 'rating'] },
  luminamind_accuracy_score: { type: 'gauge', labels: ['category'] },
  // Ours, not §4: the online quality guard (issue 3) counts unsupported answer claims.
  luminamind_unsupported_claims_total: { type: 'counter', labels: ['kind'] },
  luminamind_active_sessions: { type: 'gauge', labels: [] },
  luminamind_checkpoint_operations_total: { type: 'counter', labels: ['operation', 'backend', 'status'] },
  luminamind_checkpoint_size_bytes: { type: 'histogram', labels: [], buckets: [1024, 10240, 102400, 1024000, 10240000] },
  luminamind_store_evictions_total: { type: 'counter', labels: ['store', 'reason'] },
  auth_failures_total: { type: 'counter', labels: ['reason'] },
  path_traversal_attempts_total: { type: 'counter', labels: ['tool_name'] },
  rate_limit_exceeded_total: { type: 'counter', labels: ['tool_name', 'key_type'] },
  shell_dangerous_patterns_blocked_total: { type: 'counter', labels: ['pattern'] },
  tls_verification_errors_total: { type: 'counter', labels: ['client'] },
};

describe('createMetrics', () => {
  it.each(Object.entries(REQUIRED))('exposes %s with its type, labels and buckets', async (name, spec) => {
    const metrics = createMetrics({ defaultMetrics: false });
    const json = await metrics.registry.getMetricsAsJSON();
    const found = json.find((m) => m.name === name);
    expect(found, name).toBeDefined();
    const text = await metrics.registry.metrics();
    expect(text).toContain(`# TYPE ${name} ${spec.type}`);
    const inner = (metrics.registry.getSingleMetric(name) as unknown as { labelNames: string[]; upperBounds?: number[] }) ?? {};
    expect([...inner.labelNames].sort()).toEqual([...spec.labels].sort());
    if (spec.buckets) expect(inner.upperBounds).toEqual(spec.buckets);
  });

  it('renders histogram buckets with the documented upper bounds in the exposition text', async () => {
    const m = createMetrics({ defaultMetrics: false });
    m.requestDuration.observe({ method: 'POST', endpoint: '/chat' }, 0.7);
    m.checkpointSizeBytes.observe(5000);
    const text = await m.registry.metrics();
    for (const le of ['0.1', '0.5', '1', '2', '5', '10', '30', '+Inf']) {
      expect(text).toContain(`luminamind_request_duration_seconds_bucket{le="${le}",method="POST",endpoint="/chat"}`);
    }
    expect(text).toContain('luminamind_checkpoint_size_bytes_bucket{le="10240"} 1');
    expect(text).toContain('luminamind_checkpoint_size_bytes_bucket{le="1024"} 0');
  });

  it("registers no metric beyond the requirements' and the quality guard's, besides the Node process metrics", async () => {
    const bare = createMetrics({ defaultMetrics: false });
    const names = (await bare.registry.getMetricsAsJSON()).map((m) => m.name).sort();
    expect(names).toEqual(Object.keys(REQUIRED).sort());
  });

  it('includes the default Node process metrics', async () => {
    const text = await createMetrics().registry.metrics();
    expect(text).toContain('# TYPE process_cpu_seconds_total counter');
    expect(text).toContain('# TYPE process_resident_memory_bytes gauge');
    expect(text).toContain('# TYPE nodejs_eventloop_lag_seconds gauge');
  });

  it('keeps instances independent so several servers and tests can coexist', async () => {
    const a = createMetrics({ defaultMetrics: false });
    const b = createMetrics({ defaultMetrics: false, defaultLabels: { service: 'luminamind' } });
    a.activeSessions.set(3);
    b.activeSessions.set(1);
    expect(await a.registry.metrics()).toContain('luminamind_active_sessions 3');
    expect(await b.registry.metrics()).toContain('luminamind_active_sessions{service="luminamind"} 1');
  });
});

describe('monitorTool', () => {
  it('counts success and always observes the duration', async () => {
    const m = createMetrics({ defaultMetrics: false });
    await expect(monitorTool(m, 'os_info', async () => 42)).resolves.toBe(42);
    const text = await m.registry.metrics();
    expect(text).toContain('luminamind_tool_invocations_total{tool_name="os_info",status="success"} 1');
    expect(text).toContain('luminamind_tool_duration_seconds_count{tool_name="os_info"} 1');
  });

  it('counts a thrown error by class, a timeout as timeout, and rethrows', async () => {
    const m = createMetrics({ defaultMetrics: false });
    class FetchTimeoutError extends Error {
      override name = 'FetchTimeoutError';
    }
    await expect(monitorTool(m, 'web_search', () => Promise.reject(new TypeError('x')))).rejects.toThrow(TypeError);
    await expect(monitorTool(m, 'web_search', () => Promise.reject(new FetchTimeoutError('slow')))).rejects.toThrow('slow');
    const text = await m.registry.metrics();
    expect(text).toContain('luminamind_tool_invocations_total{tool_name="web_search",status="error"} 1');
    expect(text).toContain('luminamind_tool_invocations_total{tool_name="web_search",status="timeout"} 1');
    expect(text).toContain('luminamind_tool_errors_total{tool_name="web_search",error_type="TypeError"} 1');
    expect(text).toContain('luminamind_tool_duration_seconds_count{tool_name="web_search"} 2');
  });

  it('counts a tool failure returned as data through classify', async () => {
    const m = createMetrics({ defaultMetrics: false });
    await monitorTool(m, 'shell', async () => ({ error: true }), (r) => (r.error ? { status: 'error', errorType: 'ExitCode' } : { status: 'success' }));
    expect(await m.registry.metrics()).toContain('luminamind_tool_errors_total{tool_name="shell",error_type="ExitCode"} 1');
  });

  it('labels errors by code or class, never by free-text message', () => {
    expect(errorTypeOf(Object.assign(new Error('boom'), { code: 'AGT_ERR_PATH_NOT_ALLOWED' }))).toBe('AGT_ERR_PATH_NOT_ALLOWED');
    expect(errorTypeOf(new RangeError('x'))).toBe('RangeError');
    expect(errorTypeOf('a string with spaces')).toBe('Error');
  });
});

describe('zero-initialised counters', () => {
  it('starts the security and tool counters at 0 so increase() sees the first event', async () => {
    const m = createMetrics({ defaultMetrics: false, toolNames: ['shell'], shellPatterns: ['rm_rf_root'] });
    const text = await m.registry.metrics();
    for (const line of [
      'auth_failures_total{reason="invalid"} 0',
      'tls_verification_errors_total{client="web"} 0',
      'luminamind_cache_operations_total{operation="get",result="hit"} 0',
      'shell_dangerous_patterns_blocked_total{pattern="rm_rf_root"} 0',
      'path_traversal_attempts_total{tool_name="shell"} 0',
      'rate_limit_exceeded_total{tool_name="shell",key_type="ip"} 0',
      'luminamind_tool_invocations_total{tool_name="shell",status="error"} 0',
      // One series per claim kind of the grounding check, so an alert can select the precise kinds.
      'luminamind_unsupported_claims_total{kind="number"} 0',
      'luminamind_unsupported_claims_total{kind="quote"} 0',
      'luminamind_unsupported_claims_total{kind="name"} 0',
      'luminamind_unsupported_claims_total{kind="url"} 0',
      'luminamind_unsupported_claims_total{kind="path"} 0',
    ]) {
      expect(text).toContain(line);
    }
  });
});
