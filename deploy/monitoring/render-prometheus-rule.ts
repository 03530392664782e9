import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parse, stringify } from 'yaml';

const HERE = import.meta.dirname;
export const RULES_FILE = join(HERE, 'rules/luminamind-alerts.yaml');
export const PROMETHEUS_RULE_FILE = join(HERE, '../k8s/base/prometheus-rule.yaml');

/** The PrometheusRule custom resource for the operator, generated so the plain rules file stays the one source. */
export function renderPrometheusRule(rulesText: string = readFileSync(RULES_FILE, 'utf8')): string {
  const { groups } = parse(rulesText) as { groups: unknown[] };
  const resource = {
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'PrometheusRule',
    metadata: {
      name: 'luminamind',
      labels: { 'app.kubernetes.io/name': 'luminamind', role: 'alert-rules' },
    },
    spec: { groups },
  };
  return `# Generated from deploy/monitoring/rules/luminamind-alerts.yaml by deploy/monitoring/render-prometheus-rule.ts; do not edit.\n${stringify(resource, { lineWidth: 0 })}`;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  writeFileSync(PROMETHEUS_RULE_FILE, renderPrometheusRule());
  console.log(`wrote ${PROMETHEUS_RULE_FILE}`);
}
