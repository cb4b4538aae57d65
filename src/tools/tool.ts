import type { z } from "zod";
import type { CommandReport } from "../chat/thread-poster.ts";
import type { RiskAssessment } from "../policy/risk.ts";
import type { CommandRunner } from "../sandbox/sandbox.ts";
import type { CommandCredentials } from "./command-credentials.ts";

/** What a tool may touch: a narrow runner (no lifecycle), the thread's reports, the risk gate. */
export interface ToolContext {
  /** The id of the model's tool call being executed. */
  callId: string;
  /** The thread's sandbox, created on first use. */
  runner(): Promise<CommandRunner>;
  /** Classifies a command with the shell parser. */
  assess(command: string, runner: CommandRunner): Promise<RiskAssessment>;
  /** Checkpoints and posts a Restore button when the command is risky enough; call just before running. */
  protect(command: string, assessment: RiskAssessment): Promise<void>;
  /** Posts a command's result in the thread (the turn scrubs secrets from it first). */
  report(report: CommandReport): Promise<void>;
  /** Absent when no credential provider is configured. */
  credentials?: CommandCredentials;
  limits: { defaultTimeoutMs: number; maxTimeoutMs: number; outputLimitBytes: number };
  signal: AbortSignal;
}

export interface Tool<Schema extends z.ZodType = z.ZodType> {
  name: string;
  description: string;
  parameters: Schema;
  /** Returns the text the model reads. Expected failures are text too, not exceptions. */
  run(args: z.infer<Schema>, context: ToolContext): Promise<string>;
}

export function defineTool<Schema extends z.ZodType>(tool: Tool<Schema>): Tool {
  return tool as unknown as Tool;
}
