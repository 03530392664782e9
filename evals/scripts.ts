import { MAIN_AGENT_NAME } from '../agent/src/index.js';
import type { RegressionCase, ScriptStep, VariantScript } from './dataset.js';
import { substitute } from './fixture-server.js';
import type { CassetteInput } from './sim/index.js';


export interface Variant {
  /** `gold` or `faulty:<name>`. */
  name: string;
  script: VariantScript;
}

export function variantsOf(c: RegressionCase): Variant[] {
  return [{ name: 'gold', script: c.gold }, ...Object.entries(c.faulty).map(([name, script]) => ({ name: `faulty:${name}`, script }))];
}

export function cassetteId(caseId: string, variant: string): string {
  return `${caseId}:${variant}`;
}

function turnOf(step: ScriptStep): CassetteInput['threads'][number]['turns'][number] {
  const calls = [...(step.call ? [{ name: step.call, args: step.args ?? {} }] : []), ...(step.calls ?? [])];
  return {
    ...(step.user ? { user: step.user } : {}),
    ...(step.say !== undefined ? { content: step.say } : {}),
    ...(calls.length ? { tool_calls: calls.map((c) => ({ name: c.name, arguments: c.args })) } : {}),
  };
}

/**
 * A case variant as a simulator cassette: the main thread opened by the first user turn, plus one thread per
 * subagent conversation. `{{web}}` becomes the fixture server's base URL.
 *
 * @example
 *   sim.loadCassettes(variantCassette(c, variantsOf(c)[0], web.url));
 */
export function variantCassette(c: RegressionCase, variant: Variant, webBase: string): CassetteInput {
  const { steps, subagents } = Array.isArray(variant.script) ? { steps: variant.script, subagents: [] } : variant.script;
  const cassette = {
    id: cassetteId(c.id, variant.name),
    description: `${c.category}: ${c.id} (${variant.name})`,
    source: 'authored' as const,
    threads: [
      { agent: MAIN_AGENT_NAME, user: c.input[0], turns: steps.map(turnOf) },
      ...subagents.map((s) => ({ agent: s.agent, user: s.user, turns: s.steps.map(turnOf) })),
    ],
  };
  return substitute(cassette, webBase);
}
