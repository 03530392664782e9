import { createChatModel, type Config } from '../agent/src/index.js';
import type { JudgeFn } from './graders/index.js';

/** The judge model of JUDGE_MODEL on the primary endpoint, or undefined (judge graders then report "not run"). */
export function judgeFrom(config: Config): JudgeFn | undefined {
  const judgeModel = config.llm.judgeModel;
  const primary = config.llm.primary;
  if (!judgeModel || !primary) return undefined;
  const model = createChatModel({ ...config, llm: { ...config.llm, primary: { ...primary, model: judgeModel }, fallback: undefined, temperature: 0 } } as Config);
  return async (prompt) => {
    const reply = await model.invoke([{ role: 'user', content: prompt }]);
    return typeof reply.content === 'string' ? reply.content : JSON.stringify(reply.content);
  };
}
