// Runs one experiment the way the CLI will, and prints each event so a test can signal it at a known step.
import { runExperiment } from '../run-experiment.js';

const [file, kubeconfig] = process.argv.slice(2);
if (!file || !kubeconfig) {
  console.error('usage: interrupt-child.ts EXPERIMENT.yaml KUBECONFIG');
  process.exit(2);
}
const report = await runExperiment(file, {
  kubeconfig,
  pollIntervalMs: 20,
  timeoutMs: 60_000,
  windowMs: 60_000,
  onEvent: (event) => console.log(`event ${event.type}`),
});
console.log(`finished ${report.outcome}`);
