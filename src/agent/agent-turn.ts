import { randomUUID } from "node:crypto";
import type { StatusView, ThreadPoster } from "../chat/thread-poster.ts";
import type { CredentialBroker } from "../credentials/credential-broker.ts";
import { createScrubber } from "../credentials/scrubber.ts";
import { AppError, isAbortError } from "../errors.ts";
import type { LanguageModel, ToolCall } from "../model/language-model.ts";
import type { RiskAssessment, RiskLevel } from "../policy/risk.ts";
import type { SessionInbox, SessionRecord, SessionStore } from "../session/session-store.ts";
import { AwaitingApproval } from "../tools/command-credentials.ts";
import type { ToolContext } from "../tools/tool.ts";
import type { ToolRegistry } from "../tools/tool-registry.ts";
import { createCommandGuard } from "./command-guard.ts";
import { settleParkedApproval } from "./parked-approval.ts";
import type { SessionWorkspace } from "./session-workspace.ts";
import { createTurnCredentials } from "./turn-credentials.ts";
import { describeCall, readInbox, systemNote, unansweredToolCalls } from "./turn-history.ts";
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
  /** Linked accounts; absent when no credential provider is configured. */
  broker?: CredentialBroker;
  /** Credentialed commands at or above this level wait for their owner's Approve. */
  approveAt: RiskLevel;
  /** Ephemeral sandboxes: the final status offers End session. */
  offerEndSession?: boolean;
  /** What one session may spend; each Continue grants as much again. */
  sessionBudget?: { steps: number; tokens: number };
  onAssessed?: (assessment: RiskAssessment) => void;
  now?: () => number;
}

export type TurnOutcome =
  | "answered"
  | "step_limit"
  | "model_failed"
  | "stopped"
  | "awaiting_approval"
  | "awaiting_continue";

/**
 * One turn of the agent loop, driven by the step log (the session's history plus its
 * `activeTurn` cursor): read what users said, call the model, run the tools it asks for, until it
 * answers. Every step is saved before the next starts, so a worker that takes over after a crash
 * continues here: finished tool calls are never run again, and a call that was running when its
 * worker died is reported to the model as "outcome unknown" instead of being blindly re-run.
 *
 * Aborting `signal` with a TurnInterruption stops the turn between steps or kills the running
 * command: a user's stop ends the turn; a shutdown or a lost lease leaves it for the next worker.
 * Everything a tool returns or reports is scrubbed of every token used in this turn.
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
  const parked = session.activeTurn?.awaitingApproval ?? session.activeTurn?.awaitingBudget;
  const resumedAfterCrash = session.activeTurn !== undefined && !parked;
  if (!session.activeTurn) {
    session.turns += 1;
    session.activeTurn = { id: randomUUID(), startedAt: new Date().toISOString(), steps: 0 };
    // The new messages come first, so the last answer of the previous turn is not "pending".
    await readInbox(deps.inbox, session);
  }
  const turn = session.activeTurn;
  const decided = await settleParkedApproval(session, deps.store, deps.poster);
  turn.awaitingBudget = undefined; // the runner resumes a budget-parked turn only after a Continue
  const started = Date.parse(turn.startedAt);
  const elapsed = () => seconds(now() - started);

  const running = (text: string): StatusView => ({ text, stopId: turn.id });
  if (!turn.statusRef) {
    turn.statusRef = await deps.poster.postStatus(thread, running("Looking into it…"));
    await save();
  }
  const statusRef = turn.statusRef;
  const setStatus = (status: StatusView) => deps.poster.updateStatus(thread, statusRef, status);
  if (resumedAfterCrash) await setStatus(running("Resuming after a worker restart…"));

  let scrubber = createScrubber([]);
  const secrets: string[] = [];
  const scrub = (text: string) => scrubber.scrub(text);
  const guard = createCommandGuard({ ...deps, key, thread, signal });
  const context: Omit<ToolContext, "callId"> = {
    runner: () => deps.workspace.runner(signal),
    assess: guard.assess,
    protect: guard.protect,
    report: async (report) => {
      await deps.poster.postCommand(thread, {
        ...report,
        command: scrub(report.command),
        output: scrub(report.output),
      });
    },
    ...(deps.broker
      ? {
          credentials: createTurnCredentials({
            broker: deps.broker,
            store: deps.store,
            poster: deps.poster,
            key,
            thread,
            turn,
            approveAt: deps.approveAt,
            ...(decided ? { decided } : {}),
            onSecrets(added) {
              secrets.push(...added);
              scrubber = createScrubber(secrets);
            },
          }),
        }
      : {}),
    limits: deps.limits,
    signal,
  };

  const finish = async (outcome: TurnOutcome, statusText: string): Promise<TurnOutcome> => {
    session.activeTurn = undefined;
    session.lastStatusRef = statusRef;
    await save();
    const endSessionId = deps.offerEndSession ? session.endId : undefined;
    await setStatus({ text: statusText, ...(endSessionId ? { endSessionId } : {}) });
    return outcome;
  };

  async function runToolCall(call: ToolCall): Promise<void> {
    turn.runningCall = { id: call.id, name: call.name, startedAt: new Date().toISOString() };
    await save();
    await setStatus(running(`Step ${turn.steps}: ${scrub(describeCall(call))}`));
    const result = await deps.tools.execute(call, context);
    session.history.push({ role: "tool", toolCallId: call.id, content: scrub(result.content) });
    turn.runningCall = undefined;
  }

  try {
    for (;;) {
      for (const call of unansweredToolCalls(session.history)) {
        if (turn.runningCall?.id === call.id) await recordLostCall(call);
        else await runToolCall(call);
        await save();
      }

      const last = session.history.at(-1);
      if (last?.role === "assistant" && !last.toolCalls?.length) {
        await deps.poster.postAnswer(thread, scrub(last.content?.trim() || "(The model gave no answer.)"));
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
      if (overBudget()) return await parkForBudget();
      await readInbox(deps.inbox, session);
      turn.steps += 1;
      await save();
      await setStatus(running(`Thinking… (step ${turn.steps} of at most ${deps.maxSteps})`));
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
      const usage = session.usage ?? { steps: 0, tokens: 0 };
      session.usage = {
        steps: usage.steps + 1,
        tokens: usage.tokens + reply.usage.inputTokens + reply.usage.outputTokens,
      };
      // The step log holds nothing a token was seen in, not even the model's own words.
      session.history.push({
        role: "assistant",
        content: reply.content === null ? null : scrub(reply.content),
        toolCalls: reply.toolCalls.map((call) => ({ ...call, arguments: scrub(call.arguments) })),
      });
      await save();
    }
  } catch (error) {
    if (error instanceof AwaitingApproval) return await parkForApproval(error);
    const interruption =
      interruptionOf(signal) ?? (error instanceof TurnInterruptedError ? error.interruption : undefined);
    if (!interruption) throw error;
    return await interrupted(interruption);
  }

  async function recordLostCall(call: ToolCall): Promise<void> {
    await deps.poster.postError(
      thread,
      `A worker stopped while ${scrub(describeCall(call))}; it was not run again. I am telling the model so it can check what happened.`,
    );
    session.history.push({
      role: "tool",
      toolCallId: call.id,
      content:
        "The worker executing this call stopped (crash or restart) before reporting a result. It may or may not have " +
        "completed, fully or partly. It was NOT re-run. Inspect its effects before deciding whether to run it again.",
    });
    turn.runningCall = undefined;
  }

  function overBudget(): boolean {
    if (!deps.sessionBudget) return false;
    const grants = session.budgetGrants ?? 1;
    const used = session.usage ?? { steps: 0, tokens: 0 };
    return (
      used.steps >= deps.sessionBudget.steps * grants || used.tokens >= deps.sessionBudget.tokens * grants
    );
  }

  async function parkForBudget(): Promise<TurnOutcome> {
    const continueId = randomUUID();
    turn.awaitingBudget = { continueId, grants: session.budgetGrants ?? 1 };
    await save();
    const used = session.usage ?? { steps: 0, tokens: 0 };
    await setStatus({
      text: `Paused: this session used its budget (${used.steps} model steps, ${used.tokens} tokens). Press Continue to allow as much again.`,
      continueId,
    });
    return "awaiting_continue";
  }

  async function parkForApproval(waiting: AwaitingApproval): Promise<TurnOutcome> {
    // No worker waits for a click: the turn is saved parked, and the click enqueues its resumption.
    turn.runningCall = undefined;
    turn.awaitingApproval = { approvalId: waiting.approvalId, callId: waiting.callId };
    await save();
    await setStatus({ text: `Waiting for approval (${elapsed()} so far).` });
    return "awaiting_approval";
  }

  async function interrupted(interruption: TurnInterruption): Promise<TurnOutcome> {
    // Another worker owns the session now: touching it would overwrite that worker's steps.
    if (interruption.kind === "lease_lost") throw interruption.error;
    const runningCall = turn.runningCall;
    if (interruption.kind === "stopped") {
      for (const call of unansweredToolCalls(session.history)) {
        const killed = call.id === runningCall?.id ? " (the command was killed)" : "";
        session.history.push({
          role: "tool",
          toolCallId: call.id,
          content: `Stopped by <@${interruption.by}> before it finished${killed}.`,
        });
      }
      turn.runningCall = undefined;
      session.history.push(systemNote(`<@${interruption.by}> stopped this turn.`));
      return finish("stopped", `Stopped by <@${interruption.by}> after ${elapsed()}.`);
    }
    if (runningCall) {
      // Killed at the shutdown deadline: its outcome is known to be "killed", so say exactly that.
      session.history.push({
        role: "tool",
        toolCallId: runningCall.id,
        content:
          "The worker running this command shut down for a deploy and killed it before it finished. Check its effects before running it again.",
      });
      turn.runningCall = undefined;
    }
    await save();
    throw interruption.error;
  }
}

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? "" : "s"}`;
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}
