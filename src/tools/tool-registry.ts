import { z } from "zod";
import { AppError, isAbortError } from "../errors.ts";
import type { ToolCall, ToolSpec } from "../model/language-model.ts";
import { readFileTool } from "./read-file.ts";
import { createRunCommandTool } from "./run-command.ts";
import type { Tool, ToolContext } from "./tool.ts";
import { writeFileTool } from "./write-file.ts";

/** The tools every session has; `credentialProviders` lets run_command ask for linked accounts. */
export function defaultTools(credentialProviders: string[] = []): Tool[] {
  return [createRunCommandTool(credentialProviders), readFileTool, writeFileTool];
}

export interface ToolRegistry {
  specs: ToolSpec[];
  /** Always answers with text for the model: broken arguments and tool failures included. */
  execute(call: ToolCall, context: Omit<ToolContext, "callId">): Promise<{ content: string; ok: boolean }>;
}

export function createToolRegistry(tools: Tool[] = defaultTools()): ToolRegistry {
  const byName = new Map(tools.map((tool) => [tool.name, tool]));
  return {
    specs: tools.map((tool) => ({
      name: tool.name,
      description: tool.description,
      parameters: z.toJSONSchema(tool.parameters) as Record<string, unknown>,
    })),
    async execute(call, turnContext) {
      const context = { ...turnContext, callId: call.id };
      const tool = byName.get(call.name);
      if (!tool) {
        return failure(`Unknown tool "${call.name}". Available tools: ${[...byName.keys()].join(", ")}.`);
      }
      let raw: unknown;
      try {
        raw = JSON.parse(call.arguments || "{}");
      } catch (error) {
        return failure(
          `The arguments for ${call.name} are not valid JSON (${(error as Error).message}). ` +
            "Call the tool again with a JSON object that matches its schema.",
        );
      }
      const parsed = tool.parameters.safeParse(raw);
      if (!parsed.success) {
        return failure(`Invalid arguments for ${call.name}: ${z.prettifyError(parsed.error)}`);
      }
      try {
        return { content: await tool.run(parsed.data, context), ok: true };
      } catch (error) {
        if (isAbortError(error) || !(error instanceof AppError)) throw error;
        return failure(`${call.name} failed: ${error.message}`);
      }
    },
  };
}

function failure(content: string): { content: string; ok: boolean } {
  return { content: `Error: ${content}`, ok: false };
}
