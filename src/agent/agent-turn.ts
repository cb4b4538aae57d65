import { randomUUID } from "node:crypto";
import type { InboundMessage } from "../chat/thread.ts";
import type { ThreadPoster } from "../chat/thread-poster.ts";
import { AppError, isAbortError } from "../errors.ts";
import type { LanguageModel, ModelMessage, ToolCall } from "../model/language-model.ts";
import type { RiskLevel } from "../policy/risk.ts";
import type { SessionInbox, SessionRecord, SessionStore } from "../session/session-store.ts";
import type { ToolContext } from "../tools/tool.ts";
import type { ToolRegistry } from "../tools/tool-registry.ts";
import { createCommandGuard } from "./command-guard.ts";
import type { SessionWorkspace } from "./session-workspace.ts";
import {
  interruptionOf,
  shutdownTurn,
  TurnInterruptedError,
  type TurnInterruption,
} from "./turn-interruption.ts";

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
  /** Called after each model reply and each tool result, e.g. for metrics. */
  onStep?: (
    event: { kind: "model"; inputTokens: number; outputTokens: number } | { kind: "tool"; name: string },
  ) => void;
  now?: () => number;
}

export type TurnOutcome = "answered" | "step_limit" | "model_failed" | "stopped";

/**
 * One turn of the agent loop, driven by the step log (the session's history plus its
 * `activeTurn` cursor): read what users said, call the model, run the tools it asks for, until it
 * answers. Every step is saved before the next starts, so a worker that takes over after a crash
 * continues here: finished tool calls are never run again, and a call that was running when its
 * worker died is reported to the model as "outcome unknown" instead of being blindly re-run.
 *
 * Aborting `signal` with a TurnInterruption stops the turn between steps or kills the running
 * command: a user's stop ends the turn; a shutdown or a lost lease leaves it for the next worker.
 */
export async function runAgentTurn(
  deps: AgentTurnDependencies,
  session: SessionRecord,
  signal: AbortSignal,
  shouldYield: () => boolean = () => false,
): Promise<TurnOutcome> {
  const now = deps.now ?? Date.now;
  const { thread, key } = session;
  const save = () => deps.store.save({ ...session, updatedAt: new Date().toISOString() });
  const resumed = session.activeTurn !== undefined;
  if (!session.activeTurn) {
    session.turns += 1;
    session.activeTurn = { id: randomUUID(), startedAt: new Date().toISOString(), steps: 0 };
    // The new messages come first, so the last answer of the previous turn is not "pending".
    await readInbox(deps.inbox, session);
  }
  const turn = session.activeTurn;
  const started = Date.parse(turn.startedAt);
  const elapsed = () => seconds(now() - started);

  if (!turn.statusRef) {
    turn.statusRef = await deps.poster.postStatus(thread, "Looking into it…");
    await save();
  }
  const statusRef = turn.statusRef;
  const setStatus = (text: string) => deps.poster.updateStatus(thread, statusRef, text);
  if (resumed) await setStatus("Resuming after a worker restart…");

  const context: ToolContext = {
    runner: () => deps.workspace.runner(signal),
    guard: createCommandGuard({ ...deps, key, thread, signal }),
    report: async (report) => {
      await deps.poster.postCommand(thread, report);
    },
    limits: deps.limits,
    signal,
  };

  const finish = async (outcome: TurnOutcome, statusText: string): Promise<TurnOutcome> => {
    session.activeTurn = undefined;
    await save();
    await setStatus(statusText);
    return outcome;
  };

  try {
    for (;;) {
      for (const call of unansweredToolCalls(session.history)) {
        if (turn.runningCall?.id === call.id) {
          await recordLostCall(deps, session, call);
        } else {
          await runToolCall(deps, session, call, context, setStatus);
          deps.onStep?.({ kind: "tool", name: call.name });
        }
        await save();
      }

      const last = session.history.at(-1);
      if (last?.role === "assistant" && !last.toolCalls?.length) {
        await deps.poster.postAnswer(thread, last.content?.trim() || "(The model gave no answer.)");
        return await finish("answered", `Done in ${elapsed()} · ${plural(turn.steps, "step")}.`);
      }
      if (turn.steps >= deps.maxSteps) {
        await deps.poster.postError(
          thread,
          `I stopped after ${deps.maxSteps} steps, the limit for one turn. Reply in this thread to let me continue.`,
        );
        return await finish("step_limit", `Paused at the step limit (${elapsed()}).`);
      }

      // A draining worker hands the turn over at a step boundary, with nothing in flight.
      if (shouldYield()) throw shutdownTurn();
      await readInbox(deps.inbox, session);
      turn.steps += 1;
      await save();
      await setStatus(`Thinking… (step ${turn.steps} of at most ${deps.maxSteps})`);
      signal.throwIfAborted();

      let reply: Awaited<ReturnType<LanguageModel["complete"]>>;
      try {
        reply = await deps.model.complete({
          messages: [{ role: "system", content: deps.systemPrompt }, ...session.history],
          tools: deps.tools.specs,
          signal,
        });
      } catch (error) {
        if (isAbortError(error) || interruptionOf(signal) || !(error instanceof AppError)) throw error;
        await deps.poster.postError(thread, `${error.message} Reply in this thread to try again.`);
        return await finish("model_failed", `Stopped: the model is unavailable (${elapsed()}).`);
      }
      deps.onStep?.({ kind: "model", ...reply.usage });
      session.history.push({ role: "assistant", content: reply.content, toolCalls: reply.toolCalls });
      await save();
    }
  } catch (error) {
    const interruption =
      interruptionOf(signal) ?? (error instanceof TurnInterruptedError ? error.interruption : undefined);
    if (!interruption) throw error;
    return await interrupted(interruption);
  }

  async function interrupted(interruption: TurnInterruption): Promise<TurnOutcome> {
    // Another worker owns the session now: touching it would overwrite that worker's steps.
    if (interruption.kind === "lease_lost") throw interruption.error;
    const running = turn.runningCall;
    if (interruption.kind === "stopped") {
      for (const call of unansweredToolCalls(session.history)) {
        session.history.push({
          role: "tool",
          toolCallId: call.id,
          content: `Stopped by <@${interruption.by}> before it finished${call.id === running?.id ? " (the command was killed)" : ""}.`,
        });
      }
      turn.runningCall = undefined;
      session.history.push({
        role: "user",
        content: `[note from threadhands] <@${interruption.by}> stopped this turn.`,
      });
      return finish("stopped", `Stopped by <@${interruption.by}> after ${elapsed()}.`);
    }
    if (interruption.kind === "shutdown" && running) {
      // The command was killed at the shutdown deadline: its outcome is known to be "killed".
      session.history.push({
        role: "tool",
        toolCallId: running.id,
        content:
          "The worker running this command shut down for a deploy and killed it before it finished. Check its effects before running it again.",
      });
      turn.runningCall = undefined;
    }
    await save();
    throw interruption.error;
  }
}

async function runToolCall(
  deps: AgentTurnDependencies,
  session: SessionRecord,
  call: ToolCall,
  context: ToolContext,
  setStatus: (text: string) => Promise<void>,
): Promise<void> {
  const turn = session.activeTurn;
  if (!turn) throw new AppError("turn_state", "runToolCall outside a turn");
  turn.runningCall = { id: call.id, name: call.name, startedAt: new Date().toISOString() };
  await deps.store.save(session);
  await setStatus(`Step ${turn.steps}: ${describeCall(call)}`);
  const result = await deps.tools.execute(call, context);
  session.history.push({ role: "tool", toolCallId: call.id, content: result.content });
  turn.runningCall = undefined;
}

async function recordLostCall(
  deps: AgentTurnDependencies,
  session: SessionRecord,
  call: ToolCall,
): Promise<void> {
  const what = describeCall(call);
  await deps.poster.postError(
    session.thread,
    `A worker stopped while ${what}; it was not run again. I am telling the model so it can check what happened.`,
  );
  session.history.push({
    role: "tool",
    toolCallId: call.id,
    content:
      "The worker executing this call stopped (crash or restart) before reporting a result. It may or may not have " +
      "completed, fully or partly. It was NOT re-run. Inspect its effects before deciding whether to run it again.",
  });
  if (session.activeTurn) session.activeTurn.runningCall = undefined;
}

/** Tool calls of the last assistant message that have no result yet, in order. */
function unansweredToolCalls(history: ModelMessage[]): ToolCall[] {
  const lastAssistant = history.findLastIndex((message) => message.role === "assistant");
  const assistant = history[lastAssistant];
  if (assistant?.role !== "assistant" || !assistant.toolCalls?.length) return [];
  const answered = new Set(
    history
      .slice(lastAssistant + 1)
      .flatMap((message) => (message.role === "tool" ? [message.toolCallId] : [])),
  );
  return assistant.toolCalls.filter((call) => !answered.has(call.id));
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

function describeCall(call: ToolCall): string {
  if (call.name === "run_command") {
    try {
      const { command } = JSON.parse(call.arguments) as { command?: unknown };
      if (typeof command === "string") return `running \`${command.slice(0, 200)}\``;
    } catch {
      // broken arguments are reported to the model by the registry
    }
  }
  return `calling ${call.name}`;
}

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? "" : "s"}`;
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}
