import type { InboundMessage } from "../chat/thread.ts";
import type { ThreadPoster } from "../chat/thread-poster.ts";
import { AppError, isAbortError } from "../errors.ts";
import type { LanguageModel, ModelMessage } from "../model/language-model.ts";
import type { RiskLevel } from "../policy/risk.ts";
import type { SessionInbox, SessionRecord, SessionStore } from "../session/session-store.ts";
import type { ToolContext } from "../tools/tool.ts";
import type { ToolRegistry } from "../tools/tool-registry.ts";
import { createCommandGuard } from "./command-guard.ts";
import type { SessionWorkspace } from "./session-workspace.ts";

export interface AgentTurnDependencies {
  model: LanguageModel;
  tools: ToolRegistry;
  poster: ThreadPoster;
  store: SessionStore;
  inbox: SessionInbox;
  workspace: SessionWorkspace;
  systemPrompt: string;
  maxSteps: number;
  checkpointAt: RiskLevel;
  limits: ToolContext["limits"];
  now?: () => number;
}

export type TurnOutcome = "answered" | "step_limit" | "model_failed";

/**
 * One turn of the agent loop: read what users said, call the model, run the tools it asks for,
 * repeat until it answers. Every step is saved before the next starts, and the inbox is read
 * before every model call so a user can steer a running investigation.
 */
export async function runAgentTurn(
  deps: AgentTurnDependencies,
  session: SessionRecord,
  signal: AbortSignal,
): Promise<TurnOutcome> {
  const now = deps.now ?? Date.now;
  const started = now();
  const { thread, key } = session;
  const save = () => deps.store.save({ ...session, updatedAt: new Date().toISOString() }, signal);
  const status = await deps.poster.postStatus(thread, "Looking into it…", signal);
  const setStatus = (text: string) => deps.poster.updateStatus(thread, status, text, signal);

  const context: ToolContext = {
    runner: () => deps.workspace.runner(signal),
    guard: createCommandGuard({ ...deps, key, thread, signal }),
    report: async (report) => {
      await deps.poster.postCommand(thread, report, signal);
    },
    limits: deps.limits,
    signal,
  };

  session.turns += 1;
  for (let step = 1; step <= deps.maxSteps; step++) {
    await readInbox(deps.inbox, session);
    await save();
    await setStatus(`Thinking… (step ${step} of at most ${deps.maxSteps})`);

    let reply: Awaited<ReturnType<LanguageModel["complete"]>>;
    try {
      reply = await deps.model.complete({
        messages: [{ role: "system", content: deps.systemPrompt }, ...session.history],
        tools: deps.tools.specs,
        signal,
      });
    } catch (error) {
      if (isAbortError(error) || !(error instanceof AppError)) throw error;
      await deps.poster.postError(thread, `${error.message} Reply in this thread to try again.`, signal);
      await setStatus(`Stopped: the model is unavailable (${seconds(now() - started)}).`);
      return "model_failed";
    }

    session.history.push({ role: "assistant", content: reply.content, toolCalls: reply.toolCalls });
    await save();

    if (reply.toolCalls.length === 0) {
      await deps.poster.postAnswer(thread, reply.content?.trim() || "(The model gave no answer.)", signal);
      await setStatus(`Done in ${seconds(now() - started)} · ${step} step${step === 1 ? "" : "s"}.`);
      return "answered";
    }

    for (const call of reply.toolCalls) {
      await setStatus(`Step ${step}: ${describeCall(call.name, call.arguments)}`);
      const result = await deps.tools.execute(call, context);
      session.history.push({ role: "tool", toolCallId: call.id, content: result.content });
      await save();
    }
  }

  await deps.poster.postError(
    thread,
    `I stopped after ${deps.maxSteps} steps, the limit for one turn. Reply in this thread to let me continue.`,
    signal,
  );
  await setStatus(`Paused at the step limit (${seconds(now() - started)}).`);
  return "step_limit";
}

async function readInbox(inbox: SessionInbox, session: SessionRecord): Promise<void> {
  const notes = await inbox.takeNotes(session.key);
  const messages = await inbox.take(session.key);
  for (const note of notes)
    session.history.push({ role: "user", content: `[note from threadhands] ${note}` });
  for (const message of messages) session.history.push(userMessage(message));
}

function userMessage(message: InboundMessage): ModelMessage {
  const who = message.user.name ? `${message.user.name} (<@${message.user.id}>)` : `<@${message.user.id}>`;
  return { role: "user", content: `${who} wrote: ${message.text}` };
}

function describeCall(name: string, rawArguments: string): string {
  if (name === "run_command") {
    try {
      const { command } = JSON.parse(rawArguments) as { command?: unknown };
      if (typeof command === "string") return `running \`${command.slice(0, 200)}\``;
    } catch {
      // broken arguments are reported to the model by the registry
    }
  }
  return `calling ${name}`;
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}
