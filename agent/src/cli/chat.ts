import { randomUUID } from 'node:crypto';
import { createInterface, type Interface } from 'node:readline/promises';
import type { Command } from 'commander';
import { loadConfig } from '../config.js';
import { warnUnconfinedSandbox } from './sandbox-notice.js';
import type { Decision, PendingAction, RunResult, Todo } from '../contract/run.js';
import type { LuminaAgent, RunInput } from '../graph/agent.js';

const TODO_MARK: Record<Todo['status'], string> = { completed: '✔', in_progress: '~', pending: '•' };
const PREVIEW_CHARS = 500;
const PREVIEW_LINES = 20;

function preview(value: unknown): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  const lines = text.slice(0, PREVIEW_CHARS).split('\n').slice(0, PREVIEW_LINES);
  const cut = text.length > PREVIEW_CHARS || text.split('\n').length > PREVIEW_LINES;
  return lines.map((l) => `    │ ${l}`).join('\n') + (cut ? '\n    │ …' : '');
}

/** A model-simulator miss (EVL_ERR_SIM_NO_CASSETTE) anywhere in the error's cause chain, as its code or its message. */
export function isSimulatorMiss(err: unknown): boolean {
  for (let e = err, depth = 0; e && typeof e === 'object' && depth < 8; e = (e as { cause?: unknown }).cause, depth += 1) {
    const { code, error, message } = e as { code?: unknown; error?: { code?: unknown }; message?: unknown };
    if (code === 'EVL_ERR_SIM_NO_CASSETTE' || error?.code === 'EVL_ERR_SIM_NO_CASSETTE') return true;
    if (typeof message === 'string' && message.includes('No cassette for this conversation')) return true;
  }
  return false;
}

export interface ChatIo {
  input: NodeJS.ReadableStream;
  output: NodeJS.WritableStream;
}

/**
 * The interactive terminal chat of the original: tool calls shown as they happen, the todo list after
 * each turn, approvals with approve / approve for session / reject, `/reset` and `/exit`.
 */
export async function runChat(agent: LuminaAgent, io: ChatIo, startThreadId?: string): Promise<void> {
  const rl: Interface = createInterface({ input: io.input, output: io.output, terminal: false });
  // The line iterator exists before the first await: readline reads at once, and piped lines (or the end of input)
  // that arrive while nothing listens would be lost, leaving the chat waiting forever on a closed stream.
  const lines = rl[Symbol.asyncIterator]();
  const say = (text: string) => io.output.write(`${text}\n`);
  let threadId = startThreadId ?? randomUUID();
  const approvedForSession = new Set<string>();
  // Loaded on use, like the agent: `--help` imports this module and should not wait for every tool.
  const { checkToolInput, isToolName } = await import('../tools/index.js');
  /** A ✘ line for each decided call that will not succeed: rejected, or approved with arguments the tool refuses. */
  const announceFailures = (actions: PendingAction[], decisions: Decision[]) => {
    actions.forEach((action, i) => {
      if (decisions[i]?.type === 'reject') return say(`  ✘ ${action.name} rejected: not run`);
      const invalid = isToolName(action.name) ? checkToolInput(action.name, action.args) : undefined;
      if (invalid) say(`  ✘ ${action.name} [${invalid.code}] ${invalid.message}`);
    });
  };
  const ask = async (prompt: string): Promise<string | undefined> => {
    io.output.write(prompt);
    const next = await lines.next();
    return next.done ? undefined : String(next.value);
  };
  // Text streams as the model writes it; a tool event ends the current line so the next text starts afresh.
  let streamingMessage: string | undefined;
  let streamed = false;
  const endStream = () => {
    if (streamingMessage) io.output.write('\n');
    streamingMessage = undefined;
  };
  const onToken: NonNullable<RunInput['onToken']> = (token, source) => {
    if (streamingMessage !== source.messageId) {
      endStream();
      // A subagent's text gets its name as a header, the main agent's the usual prompt.
      io.output.write(source.agent ? `\n  [${source.agent}] ` : '\nluminamind> ');
      streamingMessage = source.messageId;
    }
    streamed ||= !source.agent;
    io.output.write(token);
  };
  const onEvent: Parameters<LuminaAgent['run']>[0]['onEvent'] = (event) => {
    endStream();
    if (event.type === 'tool_start') say(`  ⚙ ${event.call.name} ${JSON.stringify(event.call.args)}`);
    else say(`${event.call.error ? '  ✘' : '  ✓'} ${event.call.name} (${event.call.durationMs} ms)\n${preview(event.call.output)}`);
  };

  async function decide(actions: PendingAction[]): Promise<Decision[] | undefined> {
    const decisions: Decision[] = [];
    for (const action of actions) {
      if (approvedForSession.has(action.name)) {
        decisions.push({ type: 'approve' });
        continue;
      }
      say(`\n  approval needed: ${action.name} ${JSON.stringify(action.args)}`);
      for (;;) {
        const answer = (await ask('  [a]pprove, approve for [s]ession, [r]eject? '))?.trim().toLowerCase();
        if (answer === undefined) return undefined;
        if (answer === 'a' || answer === 'approve') decisions.push({ type: 'approve' });
        else if (answer === 's' || answer === 'session') {
          approvedForSession.add(action.name);
          decisions.push({ type: 'approve' });
        } else if (answer === 'r' || answer === 'reject') decisions.push({ type: 'reject', message: 'Rejected by user' });
        else continue;
        break;
      }
    }
    return decisions;
  }

  say(`LuminaMind chat — thread ${threadId}. /reset starts a new thread, /exit quits.`);
  for (;;) {
    const line = await ask('\nyou> ');
    if (line === undefined) break;
    const message = line.trim();
    if (!message) continue;
    if (message === '/exit' || message === '/quit') break;
    if (message === '/reset') {
      threadId = randomUUID();
      approvedForSession.clear();
      say(`new thread ${threadId}`);
      continue;
    }
    try {
      streamed = false;
      let result: RunResult = await agent.run({ threadId, message, onEvent, onToken });
      while (result.status === 'awaiting_approval') {
        endStream();
        const decisions = await decide(result.pendingActions);
        if (!decisions) return rl.close();
        announceFailures(result.pendingActions, decisions);
        result = await agent.run({ threadId, decisions, onEvent, onToken });
      }
      endStream();
      // A model that does not stream (or an answer with no text events) still gets its answer shown.
      if (!streamed) say(`\nluminamind> ${result.answer}`);
      if (result.todos.length) say(`\n  todos:\n${result.todos.map((t) => `    ${TODO_MARK[t.status]} ${t.content}`).join('\n')}`);
      say(`  (${result.latencyMs} ms, ${result.usage.inputTokens + result.usage.outputTokens} tokens)`);
    } catch (err) {
      const code = (err as { code?: string }).code;
      say(`\n  error${code ? ` [${code}]` : ''}: ${(err as Error).message}`);
      // The failed turn stays in the thread, and the simulator keys on the whole conversation: after a miss every
      // later message of this thread would miss too. A fresh thread is what the user needs, so the chat moves on.
      if (isSimulatorMiss(err)) {
        threadId = randomUUID();
        approvedForSession.clear();
        say(`  the model simulator answers only the conversations of its cassettes, each opening a thread; new thread ${threadId}`);
      }
    }
  }
  rl.close();
}

export function registerChatCommand(program: Command): void {
  program
    .command('chat')
    .description('Chat with the agent in the terminal (tool calls live, todos, approvals).')
    .option('--thread <id>', 'continue an existing thread (default: a new one)')
    .addHelpText(
      'after',
      `
Needs a model: set OPENAI_BASE_URL, OPENAI_API_KEY and LLM_MODEL (any OpenAI-compatible endpoint).
Mutating tools ask for approval unless APPROVAL_POLICY=auto; files live in WORKSPACE_ROOT/<thread>.
Commands inside the chat: /reset (new thread), /exit or /quit (also Ctrl-D).`,
    )
    .action(async (opts: { thread?: string }) => {
      // Loaded on use: LangChain takes seconds to import, and `--help` should not wait for it.
      const { createAgentFromConfig } = await import('../agent-factory.js');
      const config = loadConfig();
      await warnUnconfinedSandbox(config);
      const agent = createAgentFromConfig(config);
      await runChat(agent, { input: process.stdin, output: process.stdout }, opts.thread);
    });
}
