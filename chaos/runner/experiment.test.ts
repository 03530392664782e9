import { fileURLToPath } from 'node:url';
import { loadExperiment, parseGoDuration, retarget } from './experiment.js';

const WORKFLOW = fileURLToPath(new URL('../experiments/workflow-serial.yaml', import.meta.url));

describe('parseGoDuration', () => {
  it.each([
    ['90s', 90_000],
    ['1m30s', 90_000],
    ['1.5h', 5_400_000],
    ['200ms', 200],
    ['10m', 600_000],
  ])('%s is %d ms', (text, ms) => expect(parseGoDuration(text)).toBe(ms));

  it.each(['', '10', '1 minute', 'm5', '5d'])('refuses %j', (text) => expect(() => parseGoDuration(text)).toThrow());
});

describe('retarget', () => {
  it('moves the Workflow, its selectors and its status-check URLs, and leaves other namespaces alone', async () => {
    const moved = retarget(await loadExperiment(WORKFLOW), 'luminamind-staging');
    const text = JSON.stringify(moved);
    expect(moved.metadata.namespace).toBe('luminamind-staging');
    expect(text).not.toContain('"namespaces":["luminamind"]');
    expect(text).not.toContain('{"luminamind":[');
    expect(text).not.toContain('.luminamind.svc');
    expect(text).toContain('luminamind.luminamind-staging.svc.cluster.local/ready');
    expect(text).toContain('{"luminamind-staging":["redis-0"]}');
    expect(text).toContain('"namespaces":["ollama"]');
  });
});
