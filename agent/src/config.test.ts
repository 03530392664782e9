import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { configVariables, loadConfig, redactConfig } from './config.js';

describe('the documented settings', () => {
  const readme = readFileSync(join(import.meta.dirname, '../../README.md'), 'utf8');
  // Whole names only: METRICS_PORT does not document PORT.
  const undocumented = (names: readonly string[], text: string) => {
    const named = new Set(text.match(/\b[A-Z][A-Z0-9_]*\b/g));
    return names.filter((name) => !named.has(name));
  };

  it('README.md names every variable the config schema reads (its settings table, or the model block)', () => {
    expect(undocumented(configVariables, readme)).toEqual([]);
  });

  it('the twin: a variable the README does not name is caught', () => {
    expect(undocumented([...configVariables, 'LUMINAMIND_NOT_A_SETTING'], readme)).toEqual(['LUMINAMIND_NOT_A_SETTING']);
  });
});

describe('loadConfig', () => {
  it('gives working defaults with an empty environment (simulated mode: no model)', () => {
    const config = loadConfig({});
    expect(config.llm.primary).toBeUndefined();
    expect(config.llm.retry).toEqual({ maxAttempts: 3, minDelayMs: 2000, maxDelayMs: 10_000 });
    expect(config.llm.breaker).toEqual({ failureThreshold: 5, halfOpenAfterMs: 60_000 });
    expect(config.tools.shell.allowedPrograms).toContain('git');
    expect(config.agent.approvalPolicy).toBe('ask');
    expect(config.server).toMatchObject({ host: '127.0.0.1', port: 8000, auth: 'apikey' });
  });

  it('reads the model endpoints and a fallback that inherits the primary base URL and key', () => {
    const config = loadConfig({ OPENAI_BASE_URL: 'http://127.0.0.1:4010/v1', OPENAI_API_KEY: 'k', LLM_MODEL: 'm', LLM_FALLBACK_MODEL: 'small' });
    expect(config.llm.primary).toEqual({ baseUrl: 'http://127.0.0.1:4010/v1', apiKey: 'k', model: 'm' });
    expect(config.llm.fallback).toEqual({ baseUrl: 'http://127.0.0.1:4010/v1', apiKey: 'k', model: 'small' });
  });

  it('reports every problem at once with the variable names', () => {
    let message = '';
    try {
      loadConfig({ PORT: 'eighty', OPENAI_BASE_URL: 'ftp://x', APPROVAL_POLICY: 'maybe', API_KEY_HASHES: 'nothex' });
    } catch (err) {
      expect((err as { code: string }).code).toBe('AGT_ERR_CONFIG_INVALID');
      message = (err as Error).message;
    }
    for (const name of ['PORT', 'OPENAI_BASE_URL', 'APPROVAL_POLICY', 'API_KEY_HASHES']) expect(message).toContain(name);
  });

  it('treats empty strings as unset and splits lists', () => {
    const config = loadConfig({ LLM_MODEL: '', SHELL_ALLOWED_PROGRAMS: 'ls, cat ,', WEB_ALLOW_HOSTS: '127.0.0.1:8443' });
    expect(config.llm.primary).toBeUndefined();
    expect(config.tools.shell.allowedPrograms).toEqual(['ls', 'cat']);
    expect(config.web.allowHosts).toEqual(['127.0.0.1:8443']);
  });

  it('is deeply frozen', () => {
    const config = loadConfig({});
    expect(Object.isFrozen(config.tools.shell.allowedPrograms)).toBe(true);
    expect(() => {
      (config.tools as { workspaceRoot: string }).workspaceRoot = '/';
    }).toThrow(TypeError);
  });

  it('redacts every secret when logged', () => {
    const config = loadConfig({ OPENAI_API_KEY: 'sk-secret-value', SERPER_API_KEY: 'serper-secret', API_KEY_HASHES: 'a'.repeat(64) });
    const text = JSON.stringify(redactConfig(config));
    expect(text).not.toContain('sk-secret-value');
    expect(text).not.toContain('serper-secret');
    expect(text).not.toContain('a'.repeat(64));
  });
});
