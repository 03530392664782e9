import type { Drill } from '../lab/index.js';

export const replicaKill = {
  id: 'replica-kill',
  title: 'one of two service replicas SIGKILLed behind the local balancer, restarted after the fault (like a pod)',
  runbook: 'Extra: pod kill (PodDown ≤ 1 min, RTO < 30 s)',
  faultSeconds: 4,
  stack: { redis: 'persistent', replicas: 2, healthChecks: true },
  hypothesis: { minSuccessDuring: 0.8 },
  async inject(stack) {
    const victim = stack.services[0]!;
    const pid = victim.pid();
    await victim.kill('SIGKILL');
    const { signal } = await victim.exited();
    return { pid, exitSignal: signal, healthyAfterKill: stack.balancer?.healthy() };
  },
  async heal(stack) {
    await stack.services[0]!.restart();
    return { restartedPid: stack.services[0]!.pid() };
  },
  withoutResilience: { feature: "the balancer's health check disabled (blind round robin)", stack: { healthChecks: false } },
  alert: { name: 'PodDown', expect: 'fires' },
} satisfies Drill;
