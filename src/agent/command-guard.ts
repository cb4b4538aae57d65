import { randomUUID } from "node:crypto";
import type { ThreadRef } from "../chat/thread.ts";
import type { ThreadPoster } from "../chat/thread-poster.ts";
import { classifyCommand } from "../policy/classify-command.ts";
import { isAtLeast, type RiskAssessment, type RiskLevel } from "../policy/risk.ts";
import type { CommandRunner } from "../sandbox/sandbox.ts";
import { shellQuote } from "../sandbox/shell-quote.ts";
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
  onAssessed?: (assessment: RiskAssessment) => void;
}

/**
 * The risk gate in front of every command: `assess` classifies it with the shell parser (asking
 * the sandbox whether a redirect target exists); `protect` checkpoints the sandbox and posts a
 * Restore button when the command is at or above the configured level, just before it runs.
 */
export function createCommandGuard(options: CommandGuardOptions) {
  return {
    async assess(command: string, runner: CommandRunner): Promise<RiskAssessment> {
      const assessment = await classifyCommand(command, {
        fileExists: async (path) =>
          (await runner.exec(`test -e ${shellQuote(path)}`, { signal: options.signal })).exitCode === 0,
      });
      options.onAssessed?.(assessment);
      return assessment;
    },

    async protect(command: string, assessment: RiskAssessment): Promise<void> {
      if (!isAtLeast(assessment.level, options.checkpointAt)) return;
      const checkpoint = await options.workspace.checkpoint(`before: ${command}`, options.signal);
      const restoreId = randomUUID();
      const messageRef = await options.poster.postCheckpoint(options.thread, { restoreId, label: command });
      await options.store.saveCheckpoint(options.key, {
        restoreId,
        checkpointId: checkpoint.id,
        label: command,
        createdAt: checkpoint.createdAt,
        messageRef,
      });
    },
  };
}

export type CommandGuard = ReturnType<typeof createCommandGuard>;
