import { z } from "zod";
import { formatExecForModel } from "./format-output.ts";
import { defineTool } from "./tool.ts";

export const runCommandTool = defineTool({
  name: "run_command",
  description:
    "Run a shell command (bash) in this thread's sandbox and return its exit code, stdout and stderr. " +
    "The working directory is the sandbox workspace. Risky commands are checkpointed first so users can restore.",
  parameters: z.object({
    command: z.string().min(1).describe("The bash command line to run."),
    timeout_s: z.number().int().min(1).optional().describe("Seconds before the command is killed."),
  }),
  async run({ command, timeout_s }, context) {
    const runner = await context.runner();
    const assessment = await context.guard(command, runner);
    const timeoutMs = Math.min(
      timeout_s ? timeout_s * 1000 : context.limits.defaultTimeoutMs,
      context.limits.maxTimeoutMs,
    );
    const result = await runner.exec(command, {
      timeoutMs,
      maxOutputBytes: context.limits.outputLimitBytes,
      signal: context.signal,
    });
    const output = formatExecForModel(result, context.limits.outputLimitBytes);
    await context.report({
      command,
      exitCode: result.exitCode,
      timedOut: result.timedOut,
      durationMs: result.durationMs,
      output: [result.stdout, result.stderr].filter(Boolean).join("\n"),
      risk: assessment.level,
    });
    if (result.timedOut) return `The command was killed after ${timeoutMs / 1000} s (timeout).\n${output}`;
    return output;
  },
});
