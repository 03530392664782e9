import { createPrivateKey, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { z } from 'zod';
import { DecisionSchema, type Decision } from './decide.js';
import { DecisionInvalidError, PromotionRefusedError, RecordInvalidError, SigningKeyInvalidError } from './errors.js';
import { sha256 } from './evidence.js';

export const PROMOTION_SCHEMA_VERSION = 1;

const FileHashSchema = z.object({ role: z.enum(['evidence', 'baseline', 'decision', 'policy']), kind: z.string().optional(), path: z.string(), sha256: z.string().regex(/^[0-9a-f]{64}$/) });
export type FileHash = z.infer<typeof FileHashSchema>;

export const PromotionRecordSchema = z.object({
  schemaVersion: z.literal(PROMOTION_SCHEMA_VERSION),
  commit: z.string().min(1),
  createdAt: z.string(),
  verdict: z.enum(['pass', 'warn']),
  policy: z.object({ name: z.string(), path: z.string(), sha256: z.string() }),
  decision: z.object({ path: z.string(), sha256: z.string() }),
  /** The human who approved the promotion (required by the policy's `approval`), signed with the rest. */
  approval: z.object({ by: z.string().min(1), at: z.string() }).optional(),
  /** Every file the decision rests on (evidence, baselines, the decision, the policy), as hashed at promotion. */
  files: z.array(FileHashSchema).min(1),
  /** sha256 of the signer's public key (SPKI DER), to pick the right key for verification. */
  keyId: z.string(),
  /** Ed25519 over the canonical JSON of every other field, base64. */
  signature: z.string().min(1),
});
export type PromotionRecord = z.infer<typeof PromotionRecordSchema>;

/** JSON with sorted keys at every level, so the signed bytes do not depend on field order. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object')
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  return JSON.stringify(value);
}

function privateKey(pem: string): KeyObject {
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: pem, format: 'pem' });
  } catch (err) {
    throw new SigningKeyInvalidError(`not a PKCS#8 PEM private key (${err instanceof Error ? err.message : String(err)})`);
  }
  if (key.asymmetricKeyType !== 'ed25519') throw new SigningKeyInvalidError(`expected an Ed25519 key, got ${key.asymmetricKeyType ?? 'a symmetric key'}`);
  return key;
}

function publicKey(pem: string): KeyObject {
  let key: KeyObject;
  try {
    key = createPublicKey({ key: pem, format: 'pem' });
  } catch (err) {
    throw new SigningKeyInvalidError(`not a PEM public key (${err instanceof Error ? err.message : String(err)})`);
  }
  if (key.asymmetricKeyType !== 'ed25519') throw new SigningKeyInvalidError(`expected an Ed25519 key, got ${key.asymmetricKeyType ?? 'unknown'}`);
  return key;
}

const keyIdOf = (key: KeyObject) => sha256((key.type === 'public' ? key : createPublicKey(key)).export({ type: 'spki', format: 'der' }));

async function hashFile(path: string): Promise<string | null> {
  try {
    return sha256(await readFile(path));
  } catch {
    return null;
  }
}

/**
 * Signs a promotion record for a promotable decision. Refuses (GATE_ERR_PROMOTION_REFUSED) a blocked
 * or inconclusive decision, or evidence that changed since the decision hashed it.
 *
 * @example
 *   const record = await promote({ decisionPath: 'reports/gate/decision.json', keyPem, out: 'reports/gate/promotion.json' });
 */
export async function promote(opts: { decisionPath: string; keyPem: string; out: string; now?: string; approvedBy?: string }): Promise<PromotionRecord> {
  let decision: Decision;
  let decisionBytes: Buffer;
  try {
    decisionBytes = await readFile(opts.decisionPath);
    decision = DecisionSchema.parse(JSON.parse(decisionBytes.toString('utf8')));
  } catch (err) {
    throw new DecisionInvalidError(opts.decisionPath, err instanceof Error ? err.message : String(err));
  }
  if (!decision.promote || (decision.verdict !== 'pass' && decision.verdict !== 'warn'))
    throw new PromotionRefusedError(`the decision's verdict is ${decision.verdict} (${decision.reasons.join('; ')})`);
  const approvedBy = opts.approvedBy?.trim();
  if (decision.approval.required && !approvedBy)
    throw new PromotionRefusedError(`the ${decision.policy.name} policy requires a human approval: pass --approved-by NAME`);
  const key = privateKey(opts.keyPem);
  const decided: FileHash[] = [
    ...decision.evidence.filter((e) => e.sha256).map((e) => ({ role: 'evidence' as const, kind: e.kind, path: e.path, sha256: e.sha256! })),
    ...decision.baselines.filter((e) => e.sha256).map((e) => ({ role: 'baseline' as const, kind: e.kind, path: e.path, sha256: e.sha256! })),
    { role: 'policy', path: decision.policy.file, sha256: decision.policy.sha256 },
  ];
  const changed: string[] = [];
  for (const f of decided) {
    const now = await hashFile(f.path);
    if (now !== f.sha256) changed.push(`${f.path} (${now === null ? 'missing' : 'changed'} since the decision)`);
  }
  if (changed.length) throw new PromotionRefusedError(`evidence changed after the decision: ${changed.join(', ')}`);
  const decisionHash = sha256(decisionBytes);
  const createdAt = opts.now ?? new Date().toISOString();
  const unsigned = {
    schemaVersion: PROMOTION_SCHEMA_VERSION,
    commit: decision.commit.sha,
    createdAt,
    verdict: decision.verdict,
    policy: { name: decision.policy.name, path: decision.policy.file, sha256: decision.policy.sha256 },
    decision: { path: opts.decisionPath, sha256: decisionHash },
    ...(approvedBy ? { approval: { by: approvedBy, at: createdAt } } : {}),
    files: [...decided, { role: 'decision' as const, path: opts.decisionPath, sha256: decisionHash }],
    keyId: keyIdOf(key),
  };
  const record = PromotionRecordSchema.parse({ ...unsigned, signature: sign(null, Buffer.from(canonicalJson(unsigned)), key).toString('base64') });
  await mkdir(dirname(opts.out), { recursive: true });
  await writeFile(opts.out, `${JSON.stringify(record, null, 2)}\n`);
  return record;
}

export interface Verification {
  ok: boolean;
  record?: PromotionRecord;
  problems: string[];
}

/**
 * Checks a promotion record: its signature over every field, and that every file it names still has
 * the hash it recorded. Any changed byte → ok false, with what changed.
 *
 * @example
 *   const { ok, problems } = await verifyPromotion({ recordPath: 'reports/gate/promotion.json', publicKeyPem });
 */
export async function verifyPromotion(opts: { recordPath: string; publicKeyPem: string }): Promise<Verification> {
  const key = publicKey(opts.publicKeyPem);
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(opts.recordPath, 'utf8'));
  } catch (err) {
    throw new RecordInvalidError(opts.recordPath, err instanceof Error ? err.message : String(err));
  }
  const parsed = PromotionRecordSchema.safeParse(raw);
  if (!parsed.success) return { ok: false, problems: parsed.error.issues.map((i) => `record field ${i.path.join('.') || '(root)'}: ${i.message}`) };
  const record = parsed.data;
  const problems: string[] = [];
  const { signature, ...unsigned } = record;
  // Verify over the record as parsed, so an added or edited field anywhere breaks the signature.
  const { signature: _s, ...rawUnsigned } = raw as Record<string, unknown>;
  if (!verify(null, Buffer.from(canonicalJson(rawUnsigned)), key, Buffer.from(signature, 'base64')))
    problems.push(keyIdOf(key) === unsigned.keyId ? 'signature does not match the record: the record was changed after signing' : `signature does not verify with this public key (record signed by key ${unsigned.keyId.slice(0, 16)}…)`);
  for (const f of record.files) {
    const now = await hashFile(f.path);
    if (now === null) problems.push(`${f.role} ${f.path} is missing`);
    else if (now !== f.sha256) problems.push(`${f.role} ${f.path} changed: sha256 ${now} ≠ recorded ${f.sha256}`);
  }
  return { ok: problems.length === 0, record, problems };
}
