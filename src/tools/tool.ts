import type { z } from "zod";
import type { CommandReport } from "../chat/thread-poster.ts";
import type { RiskAssessment } from "../policy/risk.ts";
import type { CommandRunner } from "../sandbox/sandbox.ts";

/** What a tool may touch: a narrow runner (no lifecycle), the thread's reports, the risk gate. */
export interface ToolContext {
  /** The thread's sandbox, created on first use. */
  runner(): Promise<CommandRunner>;
  /** Classifies a command; checkpoints and posts a Restore button when it is risky enough. */
  guard(command: string, runner: CommandRunner): Promise<RiskAssessment>;
  report(report: CommandReport): Promise<void>;
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
