import { randomUUID } from "node:crypto";
import type { ThreadRef } from "../chat/thread.ts";
import type { ThreadPoster } from "../chat/thread-poster.ts";
import { classifyCommand } from "../policy/classify-command.ts";
import { isAtLeast, type RiskAssessment, type RiskLevel } from "../policy/risk.ts";
import type { CommandRunner } from "../sandbox/sandbox.ts";
import type { SessionStore } from "../session/session-store.ts";
import type { SessionWorkspace } from "./session-workspace.ts";

export interface CommandGuardOptions {
  key: string;
  thread: ThreadRef;
  checkpointAt: RiskLevel;
  workspace: SessionWorkspace;
  poster: ThreadPoster;
  store: SessionStore;
  signal: AbortSignal;
}

/**
 * The risk gate in front of every command: classify it with the shell parser and, when it is at
 * or above the configured level, checkpoint the sandbox and post a Restore button before it runs.
 */
export function createCommandGuard(options: CommandGuardOptions) {
  return async function guard(command: string, runner: CommandRunner): Promise<RiskAssessment> {
    const assessment = await classifyCommand(command, {
      fileExists: async (path) =>
        (await runner.exec(`test -e ${quote(path)}`, { signal: options.signal })).exitCode === 0,
    });
    if (!isAtLeast(assessment.level, options.checkpointAt)) return assessment;

    const checkpoint = await options.workspace.checkpoint(`before: ${command}`, options.signal);
    const restoreId = randomUUID();
    const messageRef = await options.poster.postCheckpoint(
      options.thread,
      { restoreId, label: command },
      options.signal,
    );
    await options.store.saveCheckpoint(options.key, {
      restoreId,
      checkpointId: checkpoint.id,
      label: command,
      createdAt: checkpoint.createdAt,
      messageRef,
    });
    return assessment;
  };
}

function quote(text: string): string {
  return `'${text.replaceAll("'", `'\\''`)}'`;
}
