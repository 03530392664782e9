import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { parse } from 'yaml';
import { z } from 'zod';

/** The Chaos Mesh CRDs vendored unchanged beside this file (source, commit and licence in its NOTICE). */
export const CHAOS_MESH_CRD_DIR = fileURLToPath(new URL('./vendor/chaos-mesh-crds/', import.meta.url));

// Kubernetes' structural-schema extensions: declared so ajv stays strict about every other unknown keyword.
const KUBERNETES_KEYWORDS = [
  'x-kubernetes-int-or-string',
  'x-kubernetes-list-map-keys',
  'x-kubernetes-list-type',
  'x-kubernetes-map-type',
  'x-kubernetes-preserve-unknown-fields',
  'x-kubernetes-embedded-resource',
  'x-kubernetes-validations',
];

const CrdSchema = z.object({
  kind: z.literal('CustomResourceDefinition'),
  spec: z.object({
    group: z.string(),
    names: z.object({ kind: z.string(), plural: z.string() }),
    versions: z.array(
      z.object({ name: z.string(), schema: z.object({ openAPIV3Schema: z.record(z.string(), z.unknown()) }) }),
    ),
  }),
});

export interface CrdValidation {
  valid: boolean;
  errors: string[];
}

export interface CrdValidator {
  /** Kinds known, as `group/version Kind` → plural. */
  readonly kinds: ReadonlyMap<string, string>;
  validate(resource: unknown): CrdValidation;
}

type JsonObject = Record<string, unknown>;

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

// kubectl's default field validation (Strict) rejects unknown fields, while the schema alone would let the
// API server prune them silently; closing every object with known properties reproduces that.
function closeObjects(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(closeObjects);
  if (!isObject(node)) return node;
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(node)) {
    // `properties` and `enum`/`default` hold names and data, not subschemas to close.
    if (key === 'properties' && isObject(value)) {
      out[key] = Object.fromEntries(Object.entries(value).map(([name, sub]) => [name, closeObjects(sub)]));
    } else if (key === 'enum' || key === 'default' || key === 'example') {
      out[key] = value;
    } else {
      out[key] = closeObjects(value);
    }
  }
  if (
    isObject(out.properties) &&
    out.additionalProperties === undefined &&
    out['x-kubernetes-preserve-unknown-fields'] !== true
  ) {
    out.additionalProperties = false;
  }
  return out;
}

function formatError(error: ErrorObject): string {
  const where = error.instancePath === '' ? '/' : error.instancePath;
  const params = error.params as Record<string, unknown>;
  if (error.keyword === 'additionalProperties') return `${where}: unknown field "${String(params.additionalProperty)}"`;
  if (error.keyword === 'enum') return `${where}: must be one of ${JSON.stringify(params.allowedValues)}`;
  return `${where}: ${error.message ?? error.keyword}`;
}

function kindKey(apiVersion: unknown, kind: unknown): string {
  return `${String(apiVersion)} ${String(kind)}`;
}

/**
 * Validates resources against the `openAPIV3Schema` of the CRD serving their apiVersion and kind.
 * @example createCrdValidator().validate(parse(readFileSync('chaos/experiments/agent-pod-kill.yaml', 'utf8')))
 */
export function createCrdValidator(dir: string = CHAOS_MESH_CRD_DIR): CrdValidator {
  const ajv = new Ajv({ strict: true, strictTypes: false, allErrors: true, validateFormats: true });
  // ajv-formats is CommonJS whose default export is the plugin; NodeNext types see the namespace.
  const addFormats = addFormatsModule as unknown as (instance: Ajv) => Ajv;
  addFormats(ajv);
  for (const keyword of KUBERNETES_KEYWORDS) ajv.addKeyword({ keyword });

  const schemas = new Map<string, JsonObject>();
  const kinds = new Map<string, string>();
  const files = readdirSync(dir).filter((name) => name.endsWith('.yaml'));
  if (files.length === 0) throw new Error(`no CRD files in ${dir}`);
  for (const file of files) {
    const crd = CrdSchema.parse(parse(readFileSync(join(dir, file), 'utf8')));
    for (const version of crd.spec.versions) {
      const key = kindKey(`${crd.spec.group}/${version.name}`, crd.spec.names.kind);
      schemas.set(key, version.schema.openAPIV3Schema);
      kinds.set(key, crd.spec.names.plural);
    }
  }

  const compiled = new Map<string, ValidateFunction>();
  return {
    kinds,
    validate(resource) {
      if (!isObject(resource)) return { valid: false, errors: ['/: a resource must be an object'] };
      const key = kindKey(resource.apiVersion, resource.kind);
      const schema = schemas.get(key);
      if (!schema) return { valid: false, errors: [`/: no CRD serves ${key}`] };
      let check = compiled.get(key);
      if (!check) {
        check = ajv.compile(closeObjects(schema) as JsonObject);
        compiled.set(key, check);
      }
      const valid = check(resource);
      return { valid, errors: valid ? [] : (check.errors ?? []).map(formatError) };
    },
  };
}
