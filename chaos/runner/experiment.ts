import { readFile } from 'node:fs/promises';
import { parse } from 'yaml';
import { z } from 'zod';

export const CHAOS_GROUP = 'chaos-mesh.org';
export const CHAOS_VERSION = 'v1alpha1';
export const DEFAULT_NAMESPACE = 'luminamind';
/** Annotation giving the observation window of an instantaneous fault (pod-kill) or a Workflow. */
export const OBSERVE_FOR_ANNOTATION = 'luminamind.dev/observe-for';
const DEFAULT_OBSERVE_MS = 60_000;

// Plurals as the CRDs declare them (spec.names.plural): most chaos kinds are uncountable.
const PLURALS = {
  PodChaos: 'podchaos',
  NetworkChaos: 'networkchaos',
  HTTPChaos: 'httpchaos',
  StressChaos: 'stresschaos',
  IOChaos: 'iochaos',
  DNSChaos: 'dnschaos',
  TimeChaos: 'timechaos',
  Workflow: 'workflows',
  Schedule: 'schedules',
} as const satisfies Record<string, string>;

export type ChaosKind = keyof typeof PLURALS;
const CHAOS_KINDS = Object.keys(PLURALS) as [ChaosKind, ...ChaosKind[]];

/** An RFC 1123 label, as Kubernetes wants for names and namespaces. */
export function isDnsLabel(text: string): boolean {
  return text.length <= 63 && /^[a-z0-9-]+$/.test(text) && !text.startsWith('-') && !text.endsWith('-');
}
const dnsLabel = z.string().min(1).refine(isDnsLabel, 'must be a lowercase RFC 1123 label');

export const ChaosResourceSchema = z.object({
  apiVersion: z.literal(`${CHAOS_GROUP}/${CHAOS_VERSION}`),
  kind: z.enum(CHAOS_KINDS),
  metadata: z
    .object({
      name: dnsLabel,
      namespace: dnsLabel.optional(),
      labels: z.record(z.string(), z.string()).optional(),
      annotations: z.record(z.string(), z.string()).optional(),
    })
    .loose(),
  spec: z.record(z.string(), z.unknown()),
});
export type ChaosResource = z.infer<typeof ChaosResourceSchema>;

export function pluralFor(kind: ChaosKind): string {
  return PLURALS[kind];
}

/** The condition that says the fault is in place: AllInjected for chaos kinds, Scheduled for a Workflow. */
export function injectedConditionFor(kind: ChaosKind): string {
  return kind === 'Workflow' || kind === 'Schedule' ? 'Scheduled' : 'AllInjected';
}

const GO_DURATION = /^(\d+)(\.\d+|)(ns|us|µs|ms|s|m|h)/;
const UNIT_MS: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Parses a Go duration as Chaos Mesh does (`90s`, `1m30s`, `1.5h`); throws on anything else. */
export function parseGoDuration(text: string): number {
  let rest = text;
  let total = 0;
  if (rest.length === 0) throw new Error('empty duration');
  while (rest.length > 0) {
    const match = GO_DURATION.exec(rest);
    if (!match) throw new Error(`not a duration: "${text}"`);
    total += Number(`${match[1]}${match[2] ?? ''}`) * (UNIT_MS[match[3] ?? ''] ?? Number.NaN);
    rest = rest.slice(match[0].length);
  }
  return total;
}

/** How long the fault stays in: spec.duration, else the observe-for annotation (pod-kill has no duration). */
export function observeWindowMs(resource: ChaosResource): number {
  const duration = resource.spec.duration;
  if (typeof duration === 'string') return parseGoDuration(duration);
  const annotated = resource.metadata.annotations?.[OBSERVE_FOR_ANNOTATION];
  return annotated === undefined ? DEFAULT_OBSERVE_MS : parseGoDuration(annotated);
}

export async function loadExperiment(file: string): Promise<ChaosResource> {
  const text = await readFile(file, 'utf8');
  const parsed = ChaosResourceSchema.safeParse(parse(text));
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.') || '/'}: ${issue.message}`);
    throw new Error(`${file} is not a Chaos Mesh resource: ${problems.join('; ')}`);
  }
  return parsed.data;
}

type Json = unknown;

// Selectors and status-check URLs name the namespace the files were written for; a run in another
// namespace (staging) must move both, or the fault would land on production.
function retargetNode(node: Json, from: string, to: string, key?: string): Json {
  if (Array.isArray(node)) {
    if (key === 'namespaces') return node.map((entry) => (entry === from ? to : entry));
    return node.map((entry) => retargetNode(entry, from, to));
  }
  if (typeof node === 'string' && key === 'url') return node.replace(`.${from}.svc`, `.${to}.svc`);
  if (typeof node !== 'object' || node === null) return node;
  const out: Record<string, Json> = {};
  for (const [name, value] of Object.entries(node)) {
    out[name] = key === 'pods' && name === from ? value : retargetNode(value, from, to, name);
  }
  if (key === 'pods' && from in out && from !== to) {
    out[to] = out[from];
    delete out[from];
  }
  return out;
}

/** A copy of the resource living in `namespace`, its selectors moved from the file's namespace. */
export function retarget(resource: ChaosResource, namespace: string): ChaosResource {
  const from = resource.metadata.namespace ?? DEFAULT_NAMESPACE;
  return {
    ...resource,
    metadata: { ...resource.metadata, namespace },
    spec: retargetNode(resource.spec, from, namespace) as Record<string, unknown>,
  };
}
