import type { Config, ModelEndpoint } from '../agent/src/index.js';
import type { GraderDeps, JudgeModel } from './graders/index.js';

/** Judges answer at temperature 0 with a fixed seed, so a verdict can be asked for again and compared. */
export const JUDGE_TEMPERATURE = 0;
export const JUDGE_SEED = 20_251_206;

/** The verdict every judge must return, as a JSON Schema (OpenAI structured outputs: `response_format`). */
export const VERDICT_JSON_SCHEMA = {
  type: 'object',
  properties: { pass: { type: 'boolean' }, score: { type: 'number', minimum: 0, maximum: 1 }, reason: { type: 'string' } },
  required: ['pass', 'score', 'reason'],
  additionalProperties: false,
} as const;

interface ChatCompletion {
  choices?: { message?: { content?: string | null } }[];
  usage?: { prompt_tokens?: number; completion_tokens?: number };
}

/**
 * One judge model on an OpenAI-compatible endpoint, asked for a structured verdict (json_schema), temperature 0 and
 * a seed. Transport failures after one retry throw with their cause (a harness error, never a verdict).
 */
export function judgeModel(endpoint: ModelEndpoint, price: { input: number; output: number } = { input: 0, output: 0 }): JudgeModel {
  return {
    model: endpoint.model,
    temperature: JUDGE_TEMPERATURE,
    seed: JUDGE_SEED,
    async ask(prompt) {
      const body = JSON.stringify({
        model: endpoint.model,
        temperature: JUDGE_TEMPERATURE,
        seed: JUDGE_SEED,
        messages: [
          { role: 'system', content: 'LuminaMind judge\nYou grade answers. Reply with the verdict object only.' },
          { role: 'user', content: prompt },
        ],
        response_format: { type: 'json_schema', json_schema: { name: 'verdict', strict: true, schema: VERDICT_JSON_SCHEMA } },
      });
      let last: unknown;
      for (let attempt = 0; attempt < 2; attempt++) {
        try {
          const res = await fetch(`${endpoint.baseUrl.replace(/\/$/, '')}/chat/completions`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', authorization: `Bearer ${endpoint.apiKey}` },
            body,
            signal: AbortSignal.timeout(60_000),
          });
          const text = await res.text();
          if (!res.ok) throw new Error(`judge ${endpoint.model} answered HTTP ${res.status}: ${text.slice(0, 200)}`);
          const reply = JSON.parse(text) as ChatCompletion;
          const input = reply.usage?.prompt_tokens ?? 0;
          const output = reply.usage?.completion_tokens ?? 0;
          return { text: reply.choices?.[0]?.message?.content ?? '', usage: { calls: 1, input, output, costUsd: (input * price.input + output * price.output) / 1e6 } };
        } catch (err) {
          last = err;
        }
      }
      throw new Error(`judge ${endpoint.model} could not be asked`, { cause: last });
    },
  };
}

/**
 * The judges of JUDGE_MODEL (a harness setting, bin/harness-config.ts) on the agent's primary endpoint: one model,
 * or several comma-separated (their majority decides). None configured: judge graders report "not run".
 */
export function judgeFrom(config: Config, judgeModels = ''): GraderDeps {
  const primary = config.llm.primary;
  const names = judgeModels.split(',').map((m) => m.trim()).filter(Boolean);
  if (!primary || names.length === 0) return {};
  return { judges: names.map((model) => judgeModel({ ...primary, model }, config.llm.pricePerMTok)) };
}
