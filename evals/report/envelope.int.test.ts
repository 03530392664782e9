import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ReportKindSchema,
  SCHEMA_VERSION,
  defaultReportPath,
  envelopeJsonSchema,
  gitInfo,
  parseReport,
  readReport,
  writeReport,
  type ReportDraft,
} from './envelope.js';

const FIXTURES = join(import.meta.dirname, 'fixtures/v1');
const fixture = (kind: string): Record<string, unknown> => JSON.parse(readFileSync(join(FIXTURES, `${kind}.json`), 'utf8'));
const tmp = () => mkdtempSync(join(tmpdir(), 'envelope-'));

describe('report envelope', () => {
  it('has a v1 reader fixture for every kind, and reads each (old fixtures must keep reading after a bump)', async () => {
    expect(readdirSync(FIXTURES).sort()).toEqual(ReportKindSchema.options.map((k) => `${k}.json`).sort());
    for (const kind of ReportKindSchema.options) {
      const report = await readReport(join(FIXTURES, `${kind}.json`), kind);
      expect(report.kind).toBe(kind);
      expect(report.schemaVersion).toBe(1);
    }
  });

  it('docs/report-envelope.schema.json is generated from the zod schema (run `npx tsx evals/report/generate-json-schema.ts`)', () => {
    const onDisk = JSON.parse(readFileSync(join(import.meta.dirname, '../../docs/report-envelope.schema.json'), 'utf8'));
    expect(onDisk).toEqual(JSON.parse(JSON.stringify(envelopeJsonSchema())));
  });

  it.each([
    ['eval without mode', 'eval', 'mode', undefined],
    ['bad variant', 'eval', 'results.0.variant', 'golden'],
    ['pass rate above 1', 'eval', 'summary.passRate', 1.2],
    ['chaos verdict not pass/fail', 'chaos', 'results.0.verdict', 'ok'],
    ['unknown kind', 'load', 'kind', 'perf'],
    ['future schema version', 'coverage', 'schemaVersion', 2],
    ['security status outside the enum', 'security', 'summary.checks.0.status', 'passed'],
  ])('rejects %s, naming the field', (_name, kind, field, value) => {
    const report = fixture(kind);
    const keys = field.split('.');
    const parent = keys.slice(0, -1).reduce<Record<string, unknown>>((o, k) => o[k] as Record<string, unknown>, report);
    parent[keys.at(-1)!] = value;
    expect(() => parseReport(report, 'x.json')).toThrow(expect.objectContaining({ code: 'EVL_ERR_REPORT_INVALID', message: expect.stringContaining(field) }));
  });

  it('readReport says clearly when a file is missing, not JSON, or of another kind', async () => {
    const dir = tmp();
    await expect(readReport(join(dir, 'none.json'))).rejects.toMatchObject({ code: 'EVL_ERR_REPORT_UNREADABLE' });
    writeFileSync(join(dir, 'bad.json'), '{');
    await expect(readReport(join(dir, 'bad.json'))).rejects.toMatchObject({ code: 'EVL_ERR_REPORT_UNREADABLE', message: expect.stringContaining('not JSON') });
    await expect(readReport(join(FIXTURES, 'load.json'), 'eval')).rejects.toMatchObject({ code: 'EVL_ERR_REPORT_INVALID', message: expect.stringContaining('expected "eval"') });
  });

  it('writeReport fills the header, validates, and round-trips', async () => {
    const dir = tmp();
    const { summary, results, config } = fixture('chaos') as unknown as ReportDraft<'chaos'>;
    const out = join(dir, 'chaos/report.json');
    const { path, report } = await writeReport('chaos', { summary, results, config }, out);
    expect(path).toBe(out);
    expect(report).toMatchObject({ schemaVersion: SCHEMA_VERSION, kind: 'chaos', git: { sha: expect.any(String) } });
    expect(new Date(report.createdAt).getTime()).toBeGreaterThan(Date.now() - 60_000);
    expect(await readReport(out, 'chaos')).toEqual(report);
    await expect(writeReport('chaos', { summary: {} as never, results, config }, join(dir, 'x.json'))).rejects.toMatchObject({ code: 'EVL_ERR_REPORT_INVALID' });
  });

  it('defaults to reports/<kind>/report.json', () => {
    expect(defaultReportPath('eval')).toBe(join('reports', 'eval', 'report.json'));
  });

  it('gitInfo reads HEAD, and outside a repository says unknown (stale), never a match', async () => {
    expect((await gitInfo(join(import.meta.dirname, '../..'))).sha).toMatch(/^[0-9a-f]{40}$/);
    expect(await gitInfo(tmp())).toEqual({ sha: 'unknown', dirty: true });
  });
});
