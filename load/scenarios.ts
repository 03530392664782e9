import { resolve } from 'node:path';

/** One kind of request in the load mix; its cassette lives under datasets/cassettes/load/. */
export interface Scenario {
  id: string;
  message: string;
  /** SSE: the service streams tool events and one final result. */
  stream: boolean;
  /** Model completions the scenario costs (for the efficiency bound). */
  modelCalls: number;
}

export const SCENARIOS = {
  plain: { id: 'plain', message: 'What does LuminaMind do? Answer in one sentence.', stream: false, modelCalls: 1 },
  'one-tool': { id: 'one-tool', message: 'List the files in my workspace.', stream: false, modelCalls: 2 },
  'multi-tool': { id: 'multi-tool', message: 'Do I have any markdown notes in my workspace?', stream: false, modelCalls: 3 },
  streamed: { id: 'streamed', message: 'List the files in my workspace.', stream: true, modelCalls: 2 },
} as const satisfies Record<string, Scenario>;
export type ScenarioId = keyof typeof SCENARIOS;

export const LOAD_CASSETTES = resolve('datasets/cassettes/load');

export interface RequestSpec {
  method: 'POST';
  path: string;
  headers: Record<string, string>;
  body: string;
}

/** The weighted request list the open-loop sender draws from: each scenario repeated by its weight. */
export function requestMix(mix: Readonly<Record<string, number>>, pathPrefix = ''): { requests: RequestSpec[]; scenarios: Scenario[] } {
  const requests: RequestSpec[] = [];
  const scenarios: Scenario[] = [];
  for (const [id, weight] of Object.entries(mix)) {
    const scenario = (SCENARIOS as Record<string, Scenario>)[id];
    if (!scenario) throw new Error(`unknown scenario "${id}" (known: ${Object.keys(SCENARIOS).join(', ')})`);
    for (let i = 0; i < weight; i++) {
      scenarios.push(scenario);
      requests.push({
        method: 'POST',
        path: `${pathPrefix}/v1/chat`,
        headers: { 'content-type': 'application/json', accept: scenario.stream ? 'text/event-stream' : 'application/json' },
        body: JSON.stringify({ message: scenario.message }),
      });
    }
  }
  if (!requests.length) throw new Error('the scenario mix is empty');
  return { requests, scenarios };
}
