import { describe, expect, it } from 'vitest';
import { interpretAudit } from './npm-audit.js';

const unreachable = JSON.stringify({ message: '405 Method Not Allowed - POST https://registry.example/-/npm/v1/security/advisories/bulk', statusCode: 405, body: '' });

const audit = (vulnerabilities: Record<string, unknown>) =>
  JSON.stringify({ auditReportVersion: 2, vulnerabilities, metadata: { vulnerabilities: { info: 0, low: 0, moderate: 0, high: 0, critical: 0, total: 0 } } });

describe('npm audit', () => {
  it('an advisory endpoint that refuses the request is inconclusive, with the reason and no address', () => {
    const outcome = interpretAudit(unreachable, 'npm error audit endpoint returned an error\n');
    expect(outcome).toMatchObject({ status: 'inconclusive', findings: [] });
    expect(outcome.detail).toMatch(/405 Method Not Allowed/);
    expect(outcome.detail).not.toMatch(/registry\.example/);
  });

  it.each([
    ['empty output', ''],
    ['cut output', '{"vulnerabilities": {'],
    ['an error body', JSON.stringify({ error: { code: 'ENOTFOUND', summary: 'getaddrinfo ENOTFOUND' } })],
  ])('%s is inconclusive, never a pass', (_name, stdout) => {
    expect(interpretAudit(stdout, '').status).toBe('inconclusive');
  });

  it('a timeout is inconclusive and says so', () => {
    expect(interpretAudit('', '', 'timed out after 30 s')).toMatchObject({ status: 'inconclusive', detail: expect.stringContaining('timed out') });
  });

  it('a clean audit passes', () => {
    expect(interpretAudit(audit({}), '')).toMatchObject({ status: 'pass', findings: [] });
  });

  it('vulnerable packages become findings; high or critical fail the check', () => {
    const outcome = interpretAudit(
      audit({
        lodash: { name: 'lodash', severity: 'high', isDirect: true, range: '<4.17.21', via: [{ title: 'Prototype Pollution' }] },
        ms: { name: 'ms', severity: 'moderate', isDirect: false, range: '<2.0.0', via: ['debug'] },
      }),
      '',
    );
    expect(outcome.status).toBe('fail');
    expect(outcome.findings).toEqual([
      { rule: 'npm-audit/lodash', file: 'package-lock.json', line: 0, severity: 'high', message: 'lodash <4.17.21 (direct): Prototype Pollution' },
      { rule: 'npm-audit/ms', file: 'package-lock.json', line: 0, severity: 'medium', message: 'ms <2.0.0: via a vulnerable dependency' },
    ]);
  });
});
