import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { observeWindowMs, parseGoDuration, pluralFor, type ChaosResource } from '../runner/experiment.js';
import { createCrdValidator } from './crd-validator.js';
import { DRILL_IDS } from '../drills/index.js';

const HERE = fileURLToPath(new URL('./', import.meta.url));
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const ALERT_RULES = join(ROOT, 'deploy/monitoring/rules/luminamind-alerts.yaml');
const DEPLOYMENT = join(ROOT, 'deploy/k8s/base/deployment.yaml');
const REDIS = join(ROOT, 'deploy/k8s/base/redis/statefulset-redis.yaml');

type Json = Record<string, unknown>;
const files = readdirSync(HERE).filter((name) => name.endsWith('.yaml')).sort();
const load = (name: string): Json => parse(readFileSync(join(HERE, name), 'utf8')) as Json;
const experiments = files.map((file) => ({ file, resource: load(file) }));
const standalone = experiments.filter((e) => e.resource.kind !== 'Workflow');
const workflow = experiments.find((e) => e.resource.kind === 'Workflow');
const validator = createCrdValidator();
const clone = <T>(value: T): T => structuredClone(value);

const TEMPLATE_FIELD: Record<string, string> = {
  PodChaos: 'podChaos',
  NetworkChaos: 'networkChaos',
  HTTPChaos: 'httpChaos',
  StressChaos: 'stressChaos',
};

describe('experiment files against the vendored Chaos Mesh CRD schemas', () => {
  it('covers the faults of the drills, plus the Workflow', () => {
    const kinds = experiments.map((e) => {
      const spec = e.resource.spec as Json;
      return `${String(e.resource.kind)}:${String(spec.action ?? (spec.abort === true ? 'abort' : 'stress'))}`;
    });
    expect(kinds.sort()).toEqual(
      [
        'HTTPChaos:abort',
        'NetworkChaos:delay',
        'NetworkChaos:partition',
        'PodChaos:pod-kill',
        'PodChaos:pod-kill',
        'StressChaos:stress',
        'Workflow:stress',
      ].sort(),
    );
  });

  it.each(files)('%s is valid against its CRD (unknown fields rejected, as kubectl --validate=strict)', (file) => {
    const result = validator.validate(load(file));
    expect(result.errors).toEqual([]);
    expect(result.valid).toBe(true);
  });

  it.each(files)('%s names a CRD the runner knows the plural of', (file) => {
    const resource = load(file) as ChaosResource;
    expect(validator.kinds.get(`${resource.apiVersion} ${resource.kind}`)).toBe(pluralFor(resource.kind));
  });

  it.each(standalone.map((e) => e.file))('%s: each Workflow chaos template is this spec (deadline for duration)', (file) => {
    const resource = load(file) as ChaosResource;
    const templates = ((workflow?.resource.spec as Json).templates ?? []) as Json[];
    const field = TEMPLATE_FIELD[resource.kind] ?? '';
    const { duration: _duration, ...spec } = resource.spec;
    const template = templates.find((t) => t.templateType === resource.kind && JSON.stringify(t[field]) === JSON.stringify(spec));
    expect(template, `no ${resource.kind} template equal to ${file}`).toBeDefined();
    expect(parseGoDuration(String(template?.deadline))).toBe(observeWindowMs(resource));
  });

  it('each embedded chaos spec of the Workflow is also valid as a standalone resource', () => {
    const templates = (workflow?.resource.spec as Json).templates as Json[];
    const chaos = templates.filter((t) => String(t.templateType) in TEMPLATE_FIELD);
    expect(chaos).toHaveLength(6);
    for (const template of chaos) {
      const kind = String(template.templateType);
      const resource = { apiVersion: 'chaos-mesh.org/v1alpha1', kind, metadata: { name: 'x' }, spec: template[TEMPLATE_FIELD[kind] ?? ''] };
      expect(validator.validate(resource).errors).toEqual([]);
    }
  });
});

describe('the Workflow', () => {
  const spec = (workflow?.resource.spec ?? {}) as { entry: string; templates: Json[] };
  const byName = new Map(spec.templates.map((t) => [String(t.name), t]));

  it('runs its steps in series from a Serial entry, and every child exists', () => {
    expect(byName.get(spec.entry)?.templateType).toBe('Serial');
    for (const template of spec.templates) {
      for (const child of (template.children ?? []) as string[]) expect(byName.has(child), child).toBe(true);
    }
    expect(new Set(spec.templates.map((t) => t.name)).size).toBe(spec.templates.length);
  });

  it('guards each fault with a continuous /ready check that aborts the workflow, then checks recovery', () => {
    const serial = byName.get(spec.entry)?.children as string[];
    const steps = serial.filter((name) => byName.get(name)?.templateType === 'Parallel');
    expect(steps).toHaveLength(6);
    for (const step of steps) {
      const children = (byName.get(step)?.children as string[]).map((name) => byName.get(name) ?? {});
      const chaos = children.find((c) => String(c.templateType) in TEMPLATE_FIELD);
      const guard = children.find((c) => c.templateType === 'StatusCheck');
      const check = guard?.statusCheck as Json & { http: Json };
      expect(guard?.abortWithStatusCheck).toBe(true);
      expect(guard?.deadline).toBe(chaos?.deadline);
      expect(check).toMatchObject({ mode: 'Continuous', type: 'HTTP', failureThreshold: 6, intervalSeconds: 5 });
      expect(String(check.http.url)).toMatch(/^http:\/\/luminamind\.luminamind\.svc\.cluster\.local\/ready$/);
      const after = byName.get(serial[serial.indexOf(step) + 1] ?? '');
      expect(after?.statusCheck).toMatchObject({ mode: 'Synchronous', successThreshold: 3 });
    }
  });

  it('has an observe-for annotation that covers every deadline in series', () => {
    const total = spec.templates
      .filter((t) => t.templateType !== 'Parallel' && t.templateType !== 'Serial' && !String(t.name).startsWith('ready-during'))
      .reduce((sum, t) => sum + parseGoDuration(String(t.deadline)), 0);
    expect(observeWindowMs(workflow?.resource as ChaosResource)).toBeGreaterThanOrEqual(total);
  });
});

describe('links to the drills, the alerts and the deployment', () => {
  const alertNames = existsSync(ALERT_RULES)
    ? new Set(
        ((parse(readFileSync(ALERT_RULES, 'utf8')) as { groups: { rules: { alert?: string }[] }[] }).groups ?? [])
          .flatMap((g) => g.rules)
          .map((r) => r.alert),
      )
    : undefined;

  it.each(standalone.map((e) => e.file))('%s names its drill, its expected alert and a window', (file) => {
    const resource = load(file) as ChaosResource;
    const labels = resource.metadata.labels ?? {};
    const annotations = resource.metadata.annotations ?? {};
    // Each cluster experiment names the local drill that causes the same fault on one machine.
    expect(DRILL_IDS).toContain(labels['luminamind.dev/drill']);
    expect(['fires', 'silent']).toContain(annotations['luminamind.dev/alert-expectation']);
    expect(annotations['luminamind.dev/hypothesis']).toBeTruthy();
    if (alertNames) expect(alertNames.has(labels['luminamind.dev/expected-alert'])).toBe(true);
    const window = observeWindowMs(resource);
    expect(window).toBeGreaterThanOrEqual(60_000);
    expect(window).toBeLessThanOrEqual(15 * 60_000);
    // An instantaneous fault carries observe-for instead; a lasting one its own duration.
    if (resource.spec.action === 'pod-kill') expect(resource.spec.duration).toBeUndefined();
    else expect(resource.spec.duration).toBeDefined();
  });

  it('selects agent pods by the Deployment labels, in its namespace', () => {
    if (!existsSync(DEPLOYMENT)) return;
    const deployment = parse(readFileSync(DEPLOYMENT, 'utf8')) as { spec: { template: { metadata: { labels: Json } } } };
    const podLabels = deployment.spec.template.metadata.labels;
    const agentFaults = standalone.filter((e) => (e.resource.spec as Json & { selector: Json }).selector.labelSelectors !== undefined && e.resource.kind !== 'HTTPChaos');
    expect(agentFaults.length).toBe(4);
    for (const { resource } of agentFaults) {
      const selector = (resource.spec as { selector: { labelSelectors: Json; namespaces: string[] } }).selector;
      expect(podLabels).toMatchObject(selector.labelSelectors);
      expect(selector.namespaces).toEqual(['luminamind']);
      expect((resource.metadata as Json).namespace).toBe('luminamind');
    }
  });

  it('kills a pod of the Redis StatefulSet', () => {
    if (!existsSync(REDIS)) return;
    const redis = parse(readFileSync(REDIS, 'utf8')) as { metadata: { name: string }; spec: { replicas: number } };
    const resource = load('redis-master-pod-kill.yaml') as { spec: { selector: { pods: Record<string, string[]> } } };
    const [pod] = resource.spec.selector.pods.luminamind ?? [];
    const ordinal = Number(pod?.slice(redis.metadata.name.length + 1));
    expect(pod?.startsWith(`${redis.metadata.name}-`)).toBe(true);
    expect(ordinal).toBeLessThan(redis.spec.replicas);
  });
});

describe('the validation can fail', () => {
  const podKill = load('agent-pod-kill.yaml');
  const delay = load('model-network-delay.yaml');
  const abort = load('model-http-abort.yaml');
  const flow = load('workflow-serial.yaml');

  const broken: [string, Json, RegExp][] = [
    ['a wrong action enum', { ...clone(podKill), spec: { ...(podKill.spec as Json), action: 'pod-explode' } }, /\/spec\/action: must be one of/],
    ['a wrong mode enum', { ...clone(podKill), spec: { ...(podKill.spec as Json), mode: 'some' } }, /\/spec\/mode: must be one of/],
    ['a missing selector', (() => { const r = clone(podKill); delete (r.spec as Json).selector; return r; })(), /must have required property 'selector'/],
    ['a missing spec', (() => { const r = clone(podKill); delete r.spec; return r; })(), /must have required property 'spec'/],
    ['an HTTPChaos without target', (() => { const r = clone(abort); delete (r.spec as Json).target; return r; })(), /must have required property 'target'/],
    ['an HTTPChaos target of the wrong case', (() => { const r = clone(abort); (r.spec as Json).target = 'request'; return r; })(), /\/spec\/target: must be one of/],
    ['a port given as a string', (() => { const r = clone(abort); (r.spec as Json).port = '11434'; return r; })(), /\/spec\/port: must be integer/],
    ['a latency that is not a duration', (() => { const r = clone(delay); ((r.spec as Json).delay as Json).latency = '1 second'; return r; })(), /\/spec\/delay\/latency: must match pattern/],
    ['a misspelt field (externalTarget)', (() => { const r = clone(delay); (r.spec as Json).externalTarget = (r.spec as Json).externalTargets; return r; })(), /unknown field "externalTarget"/],
    ['a direction outside to/from/both', (() => { const r = clone(delay); (r.spec as Json).direction = 'out'; return r; })(), /\/spec\/direction: must be one of/],
    ['a kind no CRD serves', { ...clone(podKill), kind: 'KernelChaos' }, /no CRD serves chaos-mesh.org\/v1alpha1 KernelChaos/],
    ['an apiVersion no CRD serves', { ...clone(podKill), apiVersion: 'chaos-mesh.org/v1beta1' }, /no CRD serves/],
  ];

  it.each(broken)('rejects %s', (_label, resource, message) => {
    const result = validator.validate(resource);
    expect(result.valid).toBe(false);
    expect(result.errors.join('\n')).toMatch(message);
  });

  const templateOf = (resource: Json, name: string): Json =>
    ((resource.spec as Json).templates as Json[]).find((t) => t.name === name) ?? {};

  const brokenFlows: [string, (r: Json) => void, RegExp][] = [
    ['an embedded pod-kill with a wrong action', (r) => { (templateOf(r, 'agent-pod-kill').podChaos as Json).action = 'pod-explode'; }, /podChaos\/action: must be one of/],
    ['an embedded HTTPChaos without its selector', (r) => { delete (templateOf(r, 'model-http-abort').httpChaos as Json).selector; }, /must have required property 'selector'/],
    ['a status check with method PUT', (r) => { ((templateOf(r, 'ready-during-agent-pod-kill').statusCheck as Json).http as Json).method = 'PUT'; }, /http\/method: must be one of/],
    ['a status check without criteria', (r) => { delete ((templateOf(r, 'ready-after-agent-pod-kill').statusCheck as Json).http as Json).criteria; }, /must have required property 'criteria'/],
    ['a template without templateType', (r) => { delete templateOf(r, 'drills').templateType; }, /must have required property 'templateType'/],
    ['a workflow without entry', (r) => { delete (r.spec as Json).entry; }, /must have required property 'entry'/],
  ];

  it.each(brokenFlows)('rejects a Workflow with %s', (_label, breakIt, message) => {
    // The YAML aliases share one status-check object; a fresh parse keeps each case independent.
    const resource = parse(readFileSync(join(HERE, 'workflow-serial.yaml'), 'utf8')) as Json;
    breakIt(resource);
    const result = validator.validate(resource);
    expect(result.valid).toBe(false);
    expect(result.errors.join('\n')).toMatch(message);
    expect(validator.validate(flow).valid).toBe(true);
  });
});
