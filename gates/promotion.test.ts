import { generateKeyPairSync } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Report, ReportKind } from '../evals/report/index.js';
import { decide } from './decide.js';
import { loadEvidence } from './evidence.js';
import { loadPolicy } from './policy.js';
import { canonicalJson, promote, verifyPromotion } from './promotion.js';
import { FIXTURE_COMMIT, passingReports, writeReports, tempDir } from './fixtures.test-support.js';

const pem = () => {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return { key: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string, pub: publicKey.export({ type: 'spki', format: 'pem' }) as string };
};

async function signedSetup() {
  const dir = tempDir('promo-');
  writeReports(join(dir, 'reports'), passingReports() as unknown as Record<ReportKind, Report>);
  const decision = decide(await loadEvidence(join(dir, 'reports')), {}, await loadPolicy('pr'), { commit: FIXTURE_COMMIT, now: '2025-06-02T00:00:00Z' });
  const decisionPath = join(dir, 'decision.json');
  writeFileSync(decisionPath, JSON.stringify(decision));
  const keys = pem();
  const out = join(dir, 'promotion.json');
  await promote({ decisionPath, keyPem: keys.key, out });
  return { dir, keys, out, decisionPath };
}

describe('promotion record', () => {
  it('canonical JSON ignores key order', () => {
    expect(canonicalJson({ b: 1, a: [{ d: 2, c: 3 }] })).toBe(canonicalJson({ a: [{ c: 3, d: 2 }], b: 1 }));
  });

  it('verifies, and names what changed: the record, the decision, an evidence file, or the key', async () => {
    const { dir, keys, out, decisionPath } = await signedSetup();
    expect(await verifyPromotion({ recordPath: out, publicKeyPem: keys.pub })).toMatchObject({ ok: true, problems: [] });
    const record = readFileSync(out, 'utf8');

    writeFileSync(out, record.replace(FIXTURE_COMMIT.sha, 'b'.repeat(40)));
    expect((await verifyPromotion({ recordPath: out, publicKeyPem: keys.pub })).problems).toEqual([expect.stringContaining('changed after signing')]);
    writeFileSync(out, record);

    writeFileSync(decisionPath, `${readFileSync(decisionPath, 'utf8')} `);
    expect((await verifyPromotion({ recordPath: out, publicKeyPem: keys.pub })).problems).toEqual([expect.stringMatching(/^decision .* changed/)]);

    const chaos = join(dir, 'reports/chaos/report.json');
    writeFileSync(chaos, readFileSync(chaos, 'utf8').replace('"recoverySeconds": 4.2', '"recoverySeconds": 4.3'));
    expect((await verifyPromotion({ recordPath: out, publicKeyPem: keys.pub })).problems).toContainEqual(expect.stringMatching(/^evidence .*chaos\/report.json changed/));

    expect((await verifyPromotion({ recordPath: out, publicKeyPem: pem().pub })).problems[0]).toContain('does not verify with this public key');
  });

  it('refuses evidence that changed after the decision, and a non-Ed25519 key', async () => {
    const { dir, keys, decisionPath } = await signedSetup();
    const load = join(dir, 'reports/load/report.json');
    writeFileSync(load, readFileSync(load, 'utf8').replace('"rps": 62.8', '"rps": 70'));
    await expect(promote({ decisionPath, keyPem: keys.key, out: join(dir, 'x.json') })).rejects.toMatchObject({ code: 'GATE_ERR_PROMOTION_REFUSED', message: expect.stringContaining('load/report.json') });
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
    const fresh = await signedSetup();
    await expect(promote({ decisionPath: fresh.decisionPath, keyPem: rsa, out: join(dir, 'y.json') })).rejects.toMatchObject({ code: 'GATE_ERR_SIGNING_KEY_INVALID' });
  });
});
