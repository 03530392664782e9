import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

/** One query of a panel; `legend` is Grafana's legendFormat. */
interface Query {
  readonly expr: string;
  readonly legend?: string;
}

interface PanelSpec {
  readonly title: string;
  readonly type?: 'timeseries' | 'stat' | 'gauge' | 'bargauge' | 'alertlist';
  readonly unit?: string;
  readonly queries: readonly Query[];
  readonly width?: number;
  readonly timeFrom?: string;
  readonly min?: number;
  readonly max?: number;
}

interface DashboardSpec {
  readonly file: string;
  readonly uid: string;
  readonly title: string;
  readonly description: string;
  readonly panels: readonly PanelSpec[];
}

const NS = 'namespace="$namespace"';
const NOT_PROBES = 'endpoint!~"/health|/ready|/metrics"';
const API_POD = 'container="luminamind"';

const quantile = (q: number, bucket: string, by = '') =>
  `histogram_quantile(${q}, sum by (${by}${by ? ', ' : ''}le) (rate(${bucket}[5m])))`;

/** MONITORING_GUIDE's five dashboards, with ARCHITECTURE's additions (cache hit, network, cost per request). */
export const DASHBOARDS: readonly DashboardSpec[] = [
  {
    file: 'app-health.json',
    uid: 'luminamind-health',
    title: 'LuminaMind / App Health (RED)',
    description: 'Rate, errors and duration of the HTTP API, plus the firing alerts.',
    panels: [
      { title: 'Request rate', unit: 'reqps', queries: [{ expr: `sum(rate(luminamind_requests_total{${NS}}[5m]))`, legend: 'all' }] },
      { title: 'Request rate by endpoint', unit: 'reqps', queries: [{ expr: `sum by (endpoint) (rate(luminamind_requests_total{${NS}}[5m]))`, legend: '{{endpoint}}' }] },
      {
        title: '5xx error rate',
        unit: 'percent',
        queries: [
          {
            expr: `sum(rate(luminamind_requests_total{${NS},status=~"5.."}[5m])) / sum(rate(luminamind_requests_total{${NS}}[5m])) * 100`,
            legend: '5xx %',
          },
        ],
      },
      {
        title: 'Latency P50 / P95 / P99',
        unit: 's',
        queries: [0.5, 0.95, 0.99].map((q) => ({
          expr: quantile(q, `luminamind_request_duration_seconds_bucket{${NS},${NOT_PROBES}}`),
          legend: `p${Math.round(q * 100)}`,
        })),
      },
      { title: 'Active sessions', type: 'stat', queries: [{ expr: `sum(luminamind_active_sessions{${NS}})` }] },
      {
        title: 'Checkpoint operations',
        unit: 'ops',
        queries: [{ expr: `sum by (operation, backend, status) (rate(luminamind_checkpoint_operations_total{${NS}}[5m]))`, legend: '{{operation}} {{backend}} {{status}}' }],
      },
      { title: 'Checkpoint size P95', unit: 'bytes', queries: [{ expr: quantile(0.95, `luminamind_checkpoint_size_bytes_bucket{${NS}}`), legend: 'p95' }] },
      { title: 'Firing alerts', type: 'alertlist', width: 12, queries: [] },
    ],
  },
  {
    file: 'tools.json',
    uid: 'luminamind-tools',
    title: 'LuminaMind / Tools',
    description: 'Which tools run, how often they succeed and how long they take.',
    panels: [
      {
        title: 'Top 10 tools (last hour)',
        type: 'bargauge',
        queries: [{ expr: `topk(10, sum by (tool_name) (increase(luminamind_tool_invocations_total{${NS}}[1h])))`, legend: '{{tool_name}}' }],
      },
      {
        title: 'Success rate per tool',
        unit: 'percent',
        min: 0,
        max: 100,
        queries: [
          {
            expr: `sum by (tool_name) (rate(luminamind_tool_invocations_total{${NS},status="success"}[5m])) / sum by (tool_name) (rate(luminamind_tool_invocations_total{${NS}}[5m])) * 100`,
            legend: '{{tool_name}}',
          },
        ],
      },
      {
        title: 'Average duration per tool',
        unit: 's',
        queries: [
          {
            expr: `sum by (tool_name) (rate(luminamind_tool_duration_seconds_sum{${NS}}[5m])) / sum by (tool_name) (rate(luminamind_tool_duration_seconds_count{${NS}}[5m]))`,
            legend: '{{tool_name}}',
          },
        ],
      },
      { title: 'P95 duration per tool', unit: 's', queries: [{ expr: quantile(0.95, `luminamind_tool_duration_seconds_bucket{${NS}}`, 'tool_name'), legend: '{{tool_name}}' }] },
      {
        title: 'Errors by type',
        unit: 'ops',
        queries: [{ expr: `sum by (tool_name, error_type) (rate(luminamind_tool_errors_total{${NS}}[5m]))`, legend: '{{tool_name}}: {{error_type}}' }],
      },
      {
        title: 'Cache hit rate',
        unit: 'percent',
        min: 0,
        max: 100,
        queries: [
          {
            expr: `sum(rate(luminamind_cache_operations_total{${NS},operation="get",result="hit"}[10m])) / sum(rate(luminamind_cache_operations_total{${NS},operation="get"}[10m])) * 100`,
            legend: 'hit %',
          },
        ],
      },
      { title: 'Cache size', unit: 'bytes', queries: [{ expr: `sum(luminamind_cache_size_bytes{${NS}})` }] },
      {
        title: 'In-memory store evictions',
        unit: 'ops',
        queries: [{ expr: `sum by (store, reason) (rate(luminamind_store_evictions_total{${NS}}[5m]))`, legend: '{{store}} {{reason}}' }],
      },
      {
        title: 'Rate-limited calls',
        unit: 'ops',
        queries: [{ expr: `sum by (tool_name) (rate(rate_limit_exceeded_total{${NS}}[5m]))`, legend: '{{tool_name}}' }],
      },
      {
        title: 'Security refusals',
        unit: 'short',
        width: 24,
        queries: [
          { expr: `sum(increase(path_traversal_attempts_total{${NS}}[5m]))`, legend: 'path traversal' },
          { expr: `sum(increase(shell_dangerous_patterns_blocked_total{${NS}}[5m]))`, legend: 'dangerous shell' },
          { expr: `sum(increase(auth_failures_total{${NS}}[5m]))`, legend: 'auth failures' },
          { expr: `sum(increase(tls_verification_errors_total{${NS}}[5m]))`, legend: 'TLS verification' },
        ],
      },
    ],
  },
  {
    file: 'llm.json',
    uid: 'luminamind-llm',
    title: 'LuminaMind / LLM',
    description: 'Model calls, tokens, latency and spend by provider and model.',
    panels: [
      {
        title: 'Requests by provider, model and status',
        unit: 'reqps',
        queries: [{ expr: `sum by (provider, model, status) (rate(luminamind_llm_requests_total{${NS}}[5m]))`, legend: '{{provider}}/{{model}} {{status}}' }],
      },
      { title: 'Tokens per minute by type', unit: 'short', queries: [{ expr: `sum by (type) (rate(luminamind_llm_tokens_total{${NS}}[5m])) * 60`, legend: '{{type}}' }] },
      { title: 'Latency P95 by model', unit: 's', queries: [{ expr: quantile(0.95, `luminamind_llm_latency_seconds_bucket{${NS}}`, 'model'), legend: '{{model}}' }] },
      { title: 'Cost per hour', unit: 'currencyUSD', queries: [{ expr: `sum(rate(luminamind_llm_cost_usd{${NS}}[1h])) * 3600`, legend: 'total' }] },
      { title: 'Cost per hour by model', unit: 'currencyUSD', queries: [{ expr: `sum by (model) (rate(luminamind_llm_cost_usd{${NS}}[1h])) * 3600`, legend: '{{model}}' }] },
      {
        title: 'Cost per chat request',
        unit: 'currencyUSD',
        queries: [
          {
            expr: `sum(rate(luminamind_llm_cost_usd{${NS}}[1h])) / sum(rate(luminamind_requests_total{${NS},endpoint=~"/chat.*"}[1h]))`,
            legend: 'USD / request',
          },
        ],
      },
    ],
  },
  {
    file: 'accuracy.json',
    uid: 'luminamind-business',
    title: 'LuminaMind / Accuracy',
    description: 'Answer quality from user feedback: accuracy by category, positive feedback, weekly trend.',
    panels: [
      {
        title: 'Accuracy by category',
        type: 'gauge',
        unit: 'percentunit',
        min: 0,
        max: 1,
        queries: [{ expr: `avg by (category) (luminamind_accuracy_score{${NS}})`, legend: '{{category}}' }],
      },
      {
        title: 'Positive feedback (last hour)',
        type: 'stat',
        unit: 'percent',
        queries: [
          {
            expr: `sum(increase(luminamind_response_quality_total{${NS},rating="good"}[1h])) / sum(increase(luminamind_response_quality_total{${NS}}[1h])) * 100`,
          },
        ],
      },
      {
        title: 'Accuracy trend (7 days)',
        unit: 'percentunit',
        width: 24,
        timeFrom: '7d',
        queries: [{ expr: `avg by (category) (avg_over_time(luminamind_accuracy_score{${NS}}[1h]))`, legend: '{{category}}' }],
      },
      {
        title: 'Feedback by rating',
        unit: 'short',
        queries: [{ expr: `sum by (category, rating) (increase(luminamind_response_quality_total{${NS}}[1h]))`, legend: '{{category}} {{rating}}' }],
      },
      {
        // The online quality guard's count of answer claims no tool output supported: hallucinations seen live.
        title: 'Unsupported claims in answers (last hour)',
        unit: 'short',
        queries: [{ expr: `sum by (kind) (increase(luminamind_unsupported_claims_total{${NS}}[1h]))`, legend: '{{kind}}' }],
      },
    ],
  },
  {
    file: 'infra.json',
    uid: 'luminamind-infra',
    title: 'LuminaMind / Infrastructure',
    description: 'Pods, CPU, memory, network and disk of the service; Redis clients, memory and throughput; scaling.',
    panels: [
      { title: 'Pods up', type: 'stat', queries: [{ expr: `sum(up{job="luminamind",${NS}})` }] },
      {
        title: 'Replicas: current vs desired',
        unit: 'short',
        queries: [
          { expr: `kube_horizontalpodautoscaler_status_current_replicas{${NS},horizontalpodautoscaler="luminamind"}`, legend: 'current' },
          { expr: `kube_horizontalpodautoscaler_status_desired_replicas{${NS},horizontalpodautoscaler="luminamind"}`, legend: 'desired' },
        ],
      },
      { title: 'CPU by pod', unit: 'cores', queries: [{ expr: `sum by (pod) (rate(container_cpu_usage_seconds_total{${NS},${API_POD}}[5m]))`, legend: '{{pod}}' }] },
      {
        title: 'Memory by pod (% of limit)',
        unit: 'percent',
        queries: [
          {
            expr: `max by (pod) (container_memory_working_set_bytes{${NS},${API_POD}}) / max by (pod) (kube_pod_container_resource_limits{${NS},${API_POD},resource="memory"}) * 100`,
            legend: '{{pod}}',
          },
        ],
      },
      {
        title: 'Network I/O',
        unit: 'Bps',
        queries: [
          { expr: `sum(rate(container_network_receive_bytes_total{${NS},pod=~"luminamind-.*"}[5m]))`, legend: 'receive' },
          { expr: `sum(rate(container_network_transmit_bytes_total{${NS},pod=~"luminamind-.*"}[5m]))`, legend: 'transmit' },
        ],
      },
      {
        title: 'Workspace and tmp disk',
        unit: 'bytes',
        queries: [{ expr: `sum by (pod) (container_fs_usage_bytes{${NS},${API_POD}})`, legend: '{{pod}}' }],
      },
      {
        title: 'Node.js event loop lag',
        unit: 's',
        queries: [{ expr: `max by (pod) (nodejs_eventloop_lag_seconds{${NS},job="luminamind"})`, legend: '{{pod}} lag' }],
      },
      { title: 'Restarts (1h)', unit: 'short', queries: [{ expr: `sum by (pod) (increase(kube_pod_container_status_restarts_total{${NS},${API_POD}}[1h]))`, legend: '{{pod}}' }] },
      { title: 'Redis connected clients', unit: 'short', queries: [{ expr: `sum by (instance) (redis_connected_clients{${NS}})`, legend: '{{instance}}' }] },
      {
        title: 'Redis memory (% of maxmemory)',
        unit: 'percent',
        queries: [{ expr: `redis_memory_used_bytes{${NS}} / redis_memory_max_bytes{${NS}} * 100`, legend: '{{instance}}' }],
      },
      { title: 'Redis ops/s', unit: 'ops', queries: [{ expr: `sum by (instance) (rate(redis_commands_processed_total{${NS}}[5m]))`, legend: '{{instance}}' }] },
      {
        title: 'Redis roles and replication',
        unit: 'short',
        queries: [{ expr: `sum by (instance) (redis_connected_slaves{${NS}})`, legend: '{{instance}} replicas' }],
      },
    ],
  },
];

function panel(spec: PanelSpec, id: number, x: number, y: number) {
  const width = spec.width ?? 12;
  const base = {
    id,
    type: spec.type ?? 'timeseries',
    title: spec.title,
    gridPos: { h: 8, w: width, x, y },
    datasource: { type: 'prometheus', uid: '${datasource}' },
  };
  if (spec.type === 'alertlist') {
    return { ...base, options: { showOptions: 'current', maxItems: 20, stateFilter: { firing: true, pending: true }, alertInstanceLabelFilter: '{service="luminamind"}' } };
  }
  return {
    ...base,
    ...(spec.timeFrom ? { timeFrom: spec.timeFrom } : {}),
    fieldConfig: {
      defaults: { unit: spec.unit ?? 'short', ...(spec.min === undefined ? {} : { min: spec.min }), ...(spec.max === undefined ? {} : { max: spec.max }) },
      overrides: [],
    },
    options: {},
    targets: spec.queries.map((q, i) => ({
      refId: String.fromCharCode(65 + i),
      datasource: { type: 'prometheus', uid: '${datasource}' },
      expr: q.expr,
      legendFormat: q.legend ?? '__auto',
    })),
  };
}

/** A Grafana dashboard (schema 39) with datasource and namespace variables, panels laid out two per row. */
export function buildDashboard(spec: DashboardSpec) {
  let x = 0;
  let y = 0;
  const panels = spec.panels.map((p, i) => {
    const w = p.width ?? 12;
    if (x + w > 24) {
      x = 0;
      y += 8;
    }
    const out = panel(p, i + 1, x, y);
    x += w;
    return out;
  });
  return {
    uid: spec.uid,
    title: spec.title,
    description: spec.description,
    tags: ['luminamind'],
    timezone: 'browser',
    schemaVersion: 39,
    version: 1,
    editable: true,
    refresh: '30s',
    time: { from: 'now-6h', to: 'now' },
    annotations: { list: [] },
    templating: {
      list: [
        { name: 'datasource', label: 'Data source', type: 'datasource', query: 'prometheus', current: {} },
        {
          name: 'namespace',
          label: 'Namespace',
          type: 'query',
          datasource: { type: 'prometheus', uid: '${datasource}' },
          query: { query: 'label_values(up{job="luminamind"}, namespace)', refId: 'namespace' },
          definition: 'label_values(up{job="luminamind"}, namespace)',
          refresh: 2,
          current: {},
        },
      ],
    },
    panels,
  };
}

export const DASHBOARD_DIR = import.meta.dirname;

export function renderDashboards(): Record<string, string> {
  return Object.fromEntries(DASHBOARDS.map((d) => [d.file, `${JSON.stringify(buildDashboard(d), null, 2)}\n`]));
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  for (const [file, text] of Object.entries(renderDashboards())) writeFileSync(join(DASHBOARD_DIR, file), text);
  console.log(`wrote ${DASHBOARDS.length} dashboards to ${DASHBOARD_DIR}`);
}
