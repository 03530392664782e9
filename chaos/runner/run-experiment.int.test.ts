import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { runClusterExperiments } from './index.js';
import { runExperiment, type ObserveContext } from './run-experiment.js';

const EXPERIMENTS = fileURLToPath(new URL('../experiments/', import.meta.url));
const POD_KILL = join(EXPERIMENTS, 'agent-pod-kill.yaml');
const WORKFLOW = join(EXPERIMENTS, 'workflow-serial.yaml');
const CHILD = fileURLToPath(new URL('./testdata/interrupt-child.ts', import.meta.url));
const TOKEN = 'stand-in-token';
const PREFIX = '/apis/chaos-mesh.org/v1alpha1/namespaces/';

interface Seen {
  method: string;
  path: string;
  query: string;
  auth: string | undefined;
}

interface StandInOptions {
  /** GETs of an object before its injected condition turns True; Infinity never. */
  injectAfter: number;
  /** GETs after a DELETE that still return the object, as finalizers would. */
  lingerAfterDelete: number;
  /** For Workflows: GETs after Scheduled before Accomplished. */
  accomplishAfter: number;
}

// The Kubernetes API as the runner uses it: the chaos-mesh.org custom-object REST paths, bearer auth,
// metav1.Status errors, and a controller that sets conditions after a few polls.
class KubeApiStandIn {
  readonly seen: Seen[] = [];
  readonly created: Record<string, unknown>[] = [];
  private readonly objects = new Map<string, { body: Record<string, unknown>; polls: number; deletedPolls: number | null }>();
  private server: Server | undefined;
  options: StandInOptions = { injectAfter: 3, lingerAfterDelete: 1, accomplishAfter: 2 };

  async start(): Promise<string> {
    this.server = createServer((req, res) => void this.handle(req, res));
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
    const { port } = this.server.address() as AddressInfo;
    return `http://127.0.0.1:${port}`;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise((resolve) => this.server?.close(resolve));
  }

  preload(namespace: string, plural: string, body: Record<string, unknown>): void {
    const name = (body.metadata as { name: string }).name;
    this.objects.set(`${namespace}/${plural}/${name}`, { body, polls: 0, deletedPolls: null });
  }

  methods(): string[] {
    return this.seen.map((s) => `${s.method} ${s.path.split('/').slice(6).join('/')}`);
  }

  private status(res: ServerResponse, code: number, reason: string, message: string): void {
    res.writeHead(code, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', reason, message, code }));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    this.seen.push({ method: req.method ?? '', path: url.pathname, query: url.search, auth: req.headers.authorization });
    if (req.headers.authorization !== `Bearer ${TOKEN}`) return this.status(res, 401, 'Unauthorized', 'no token');
    const parts = url.pathname.startsWith(PREFIX) ? url.pathname.slice(PREFIX.length).split('/') : [];
    if (parts.length < 2 || parts.length > 3) return this.status(res, 404, 'NotFound', `no route ${url.pathname}`);
    const [namespace, plural, name] = parts;
    const send = (code: number, body: unknown): void => {
      res.writeHead(code, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };

    if (req.method === 'POST' && !name) {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
      const objectName = (body.metadata as { name: string }).name;
      const key = `${namespace}/${plural}/${objectName}`;
      if (this.objects.has(key)) return this.status(res, 409, 'AlreadyExists', `${plural} "${objectName}" already exists`);
      this.created.push(body);
      this.objects.set(key, { body, polls: 0, deletedPolls: null });
      return send(201, { ...body, metadata: { ...(body.metadata as object), uid: 'u-1', resourceVersion: '1' } });
    }
    const key = `${namespace}/${plural}/${name}`;
    const object = this.objects.get(key);
    if (!object) return this.status(res, 404, 'NotFound', `${plural} "${name}" not found`);
    if (req.method === 'GET') {
      if (object.deletedPolls !== null) {
        object.deletedPolls += 1;
        if (object.deletedPolls > this.options.lingerAfterDelete) {
          this.objects.delete(key);
          return this.status(res, 404, 'NotFound', `${plural} "${name}" not found`);
        }
        return send(200, object.body);
      }
      object.polls += 1;
      const conditions =
        plural === 'workflows'
          ? [
              { type: 'Scheduled', status: object.polls >= this.options.injectAfter ? 'True' : 'False', reason: '' },
              {
                type: 'Accomplished',
                status: object.polls >= this.options.injectAfter + this.options.accomplishAfter ? 'True' : 'False',
                reason: '',
              },
            ]
          : [
              { type: 'Selected', status: 'True' },
              { type: 'AllInjected', status: object.polls >= this.options.injectAfter ? 'True' : 'False' },
            ];
      return send(200, { ...object.body, status: { conditions } });
    }
    if (req.method === 'DELETE') {
      object.deletedPolls ??= 0;
      return send(200, object.body);
    }
    return this.status(res, 405, 'MethodNotAllowed', req.method ?? '');
  }
}

let standIn: KubeApiStandIn;
let dir: string;
let kubeconfig: string;

function kubeconfigFor(server: string): string {
  return [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    '  - name: stand-in',
    // The client refuses plain http unless told so; the stand-in has no TLS.
    `    cluster: { server: "${server}", insecure-skip-tls-verify: true }`,
    'users:',
    '  - name: tester',
    `    user: { token: ${TOKEN} }`,
    'contexts:',
    '  - name: stand-in',
    '    context: { cluster: stand-in, user: tester, namespace: luminamind }',
    'current-context: stand-in',
    '',
  ].join('\n');
}

beforeEach(async () => {
  standIn = new KubeApiStandIn();
  const server = await standIn.start();
  dir = await mkdtemp(join(tmpdir(), 'lm-chaos-runner-'));
  kubeconfig = join(dir, 'kubeconfig.yaml');
  await writeFile(kubeconfig, kubeconfigFor(server));
});

afterEach(async () => {
  await standIn.stop();
  await rm(dir, { recursive: true, force: true });
});

const fast = { pollIntervalMs: 10, windowMs: 40, recoveryTimeoutMs: 2_000, timeoutMs: 5_000 };

describe('runExperiment against a stand-in Kubernetes API', () => {
  it('applies, waits for AllInjected, observes, deletes and sees the recovery', async () => {
    const listeners = process.listenerCount('SIGINT');
    const observed: ObserveContext[] = [];
    let getsBeforeObserve = -1;
    const report = await runExperiment(POD_KILL, {
      kubeconfig,
      ...fast,
      observe: async (context) => {
        getsBeforeObserve = standIn.seen.filter((s) => s.method === 'GET').length;
        observed.push(context);
        await new Promise((resolve) => context.signal.addEventListener('abort', resolve, { once: true }));
      },
    });

    expect(report).toMatchObject({
      experiment: 'luminamind-agent-pod-kill',
      kind: 'PodChaos',
      namespace: 'luminamind',
      drill: 'replica-kill',
      outcome: 'completed',
      cleanedUp: true,
    });
    expect(report.injectedAt).not.toBeNull();
    expect(report.recoveredAt).not.toBeNull();
    expect(Date.parse(report.recoveredAt ?? '')).toBeGreaterThanOrEqual(Date.parse(report.injectedAt ?? ''));
    expect(standIn.methods()).toEqual([
      'POST podchaos',
      'GET podchaos/luminamind-agent-pod-kill',
      'GET podchaos/luminamind-agent-pod-kill',
      'GET podchaos/luminamind-agent-pod-kill',
      'DELETE podchaos/luminamind-agent-pod-kill',
      'GET podchaos/luminamind-agent-pod-kill',
      'GET podchaos/luminamind-agent-pod-kill',
    ]);
    expect(getsBeforeObserve).toBe(3);
    expect(observed).toHaveLength(1);
    expect(observed[0]?.windowMs).toBe(40);
    expect(observed[0]?.signal.aborted).toBe(true);
    expect(standIn.seen.every((s) => s.auth === `Bearer ${TOKEN}`)).toBe(true);
    expect(standIn.seen[0]?.query).toContain('fieldValidation=Strict');
    expect(standIn.created[0]).toEqual(parse(readFileSync(POD_KILL, 'utf8')));
    expect(report.events.map((e) => e.type)).toEqual(['applied', 'waiting', 'injected', 'observed', 'deleted', 'recovered']);
    expect(process.listenerCount('SIGINT')).toBe(listeners);
  });

  it('deletes what it applied when the observation fails', async () => {
    const report = await runExperiment(POD_KILL, {
      kubeconfig,
      ...fast,
      windowMs: 10_000,
      observe: () => {
        throw new Error('probe could not reach the service');
      },
    });
    expect(report.outcome).toBe('observe-failed');
    expect(report.error).toContain('probe could not reach the service');
    expect(report.cleanedUp).toBe(true);
    expect(standIn.methods()).toContain('DELETE podchaos/luminamind-agent-pod-kill');
  });

  it('gives up when AllInjected never comes, and still deletes', async () => {
    standIn.options.injectAfter = Number.POSITIVE_INFINITY;
    const observe = vi.fn();
    const started = Date.now();
    const report = await runExperiment(POD_KILL, { kubeconfig, ...fast, timeoutMs: 150 });
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(report.outcome).toBe('injection-timeout');
    expect(report.error).toContain('AllInjected not True after 150 ms');
    expect(report.injectedAt).toBeNull();
    expect(report.cleanedUp).toBe(true);
    expect(observe).not.toHaveBeenCalled();
    expect(standIn.methods().filter((m) => m.startsWith('DELETE'))).toEqual(['DELETE podchaos/luminamind-agent-pod-kill']);
  });

  it('leaves alone an object it did not create (409) and says how to remove it', async () => {
    standIn.preload('luminamind', 'podchaos', parse(readFileSync(POD_KILL, 'utf8')) as Record<string, unknown>);
    const report = await runExperiment(POD_KILL, { kubeconfig, ...fast });
    expect(report.outcome).toBe('api-error');
    expect(report.error).toContain('already exists');
    expect(report.error).toContain('kubectl -n luminamind delete podchaos luminamind-agent-pod-kill');
    expect(report.cleanedUp).toBe(true);
    expect(standIn.methods()).toEqual(['POST podchaos']);
  });

  it('moves the resource and its selectors to another namespace', async () => {
    const report = await runExperiment(POD_KILL, { kubeconfig, ...fast, namespace: 'luminamind-staging' });
    expect(report.outcome).toBe('completed');
    expect(standIn.seen[0]?.path).toBe('/apis/chaos-mesh.org/v1alpha1/namespaces/luminamind-staging/podchaos');
    expect(standIn.created[0]).toMatchObject({
      metadata: { namespace: 'luminamind-staging' },
      spec: { selector: { namespaces: ['luminamind-staging'] } },
    });
  });

  it('lets prepare point the Redis pod-kill at the current master', async () => {
    const report = await runExperiment(join(EXPERIMENTS, 'redis-master-pod-kill.yaml'), {
      kubeconfig,
      ...fast,
      prepare: (resource) => ({ ...resource, spec: { ...resource.spec, selector: { pods: { luminamind: ['redis-2'] } } } }),
    });
    expect(report.outcome).toBe('completed');
    expect(standIn.created[0]).toMatchObject({ spec: { selector: { pods: { luminamind: ['redis-2'] } } } });
  });

  it('runs a Workflow until it is Accomplished rather than for its whole window', async () => {
    const report = await runExperiment(WORKFLOW, { kubeconfig, ...fast, windowMs: 60_000 });
    expect(report.outcome).toBe('completed');
    expect(report.events.find((e) => e.type === 'injected')?.message).toBe('Scheduled=True');
    expect(standIn.methods()).toContain('DELETE workflows/luminamind-drills');
  });

  it('reports an unreachable API as an error, with nothing left behind', async () => {
    await standIn.stop();
    const report = await runExperiment(POD_KILL, { kubeconfig, ...fast, requestTimeoutMs: 2_000 });
    expect(report.outcome).toBe('api-error');
    expect(report.injectedAt).toBeNull();
  });
});

describe('runExperiment when the process is signalled', () => {
  async function runChild(file: string, signal: NodeJS.Signals, after: string) {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, file, kubeconfig], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const reached = new Promise<void>((resolve) => {
      child.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
        if (stdout.includes(`event ${after}`)) resolve();
      });
    });
    const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
    await Promise.race([reached, exited]);
    child.kill(signal);
    const [code, exitSignal] = await exited;
    return { code, exitSignal, stdout, stderr };
  }

  it('deletes the experiment on SIGINT during the observation, then dies of the signal', async () => {
    const { exitSignal, stdout, stderr } = await runChild(POD_KILL, 'SIGINT', 'injected');
    expect(stderr).toBe('');
    expect(stdout).toContain('event signal');
    expect(exitSignal).toBe('SIGINT');
    expect(standIn.methods()).toContain('DELETE podchaos/luminamind-agent-pod-kill');
    expect(stdout).not.toContain('finished');
  });

  it('deletes the experiment on SIGTERM while still waiting for injection', async () => {
    standIn.options.injectAfter = Number.POSITIVE_INFINITY;
    const { exitSignal } = await runChild(POD_KILL, 'SIGTERM', 'waiting');
    expect(exitSignal).toBe('SIGTERM');
    expect(standIn.methods()).toContain('DELETE podchaos/luminamind-agent-pod-kill');
  });
});

describe('runClusterExperiments', () => {
  it('runs every standalone experiment (not the Workflow) in turn', async () => {
    const { results, ok } = await runClusterExperiments({ kubeconfig, ...fast, windowMs: 5 });
    expect(ok).toBe(true);
    expect(results.map((r) => r.kind).sort()).toEqual(
      ['HTTPChaos', 'NetworkChaos', 'NetworkChaos', 'PodChaos', 'PodChaos', 'StressChaos'].sort(),
    );
    expect(results.every((r) => r.cleanedUp && r.recoveredAt !== null)).toBe(true);
    expect(standIn.methods().filter((m) => m.startsWith('DELETE'))).toHaveLength(6);
  });

  it('runs only the named experiments, by file stem or metadata name', async () => {
    const { results } = await runClusterExperiments({
      kubeconfig,
      ...fast,
      experiments: ['model-network-delay', 'luminamind-drills'],
    });
    expect(results.map((r) => r.experiment)).toEqual(['luminamind-model-network-delay', 'luminamind-drills']);
  });

  it('refuses an unknown experiment before touching the cluster', async () => {
    await expect(runClusterExperiments({ kubeconfig, experiments: ['no-such-fault'] })).rejects.toThrow(
      /unknown experiment "no-such-fault"; known: agent-memory-stress/,
    );
    expect(standIn.seen).toHaveLength(0);
  });
});
