import { z } from "zod";
import { formatExecForModel } from "./format-output.ts";
import { defineTool, type Tool } from "./tool.ts";

/** `credentialProviders` are the accounts users can link; the model may name them per command. */
export function createRunCommandTool(credentialProviders: string[] = []): Tool {
  const credentials = z
    .array(z.enum(credentialProviders as [string, ...string[]]))
    .max(5)
    .optional()
    .describe(
      'Accounts this command needs, e.g. ["github"]. The requesting user\'s own token is injected ' +
        "for this one command only (e.g. as GH_TOKEN); never print it.",
    );
  const parameters = z.object({
    command: z.string().min(1).describe("The bash command line to run."),
    timeout_s: z.number().int().min(1).optional().describe("Seconds before the command is killed."),
    ...(credentialProviders.length > 0 ? { credentials } : {}),
  });
  return defineTool({
    name: "run_command",
    description:
      "Run a shell command (bash) in this thread's sandbox and return its exit code, stdout and stderr. " +
      "The working directory is the sandbox workspace. Risky commands are checkpointed first so users can restore." +
      (credentialProviders.length > 0 ? ` Accounts available: ${credentialProviders.join(", ")}.` : ""),
    parameters,
    async run(args, context) {
      const { command, timeout_s } = args;
      const wanted = (args as { credentials?: string[] }).credentials ?? [];
      const runner = await context.runner();
      const assessment = await context.assess(command, runner);

      let env: Record<string, string> | undefined;
      let toRun = command;
      if (wanted.length > 0) {
        const accounts = context.credentials;
        if (!accounts)
          return "Error: no accounts can be linked in this deployment; run the command without credentials.";
        const approval = accounts.approvalState(context.callId, assessment.level);
        if (approval === "denied") return "Not run: the account's owner denied this command.";
        if (approval === "needed") {
          await accounts.requestApproval({
            callId: context.callId,
            command,
            providers: wanted,
            risk: assessment.level,
          });
        }
        const resolved = await accounts.resolve(wanted, command, context.signal);
        if (!resolved.ok) return `Not run: ${resolved.message}`;
        env = resolved.env;
        toRun = resolved.command;
      }

      await context.protect(command, assessment);
      const timeoutMs = Math.min(
        timeout_s ? timeout_s * 1000 : context.limits.defaultTimeoutMs,
        context.limits.maxTimeoutMs,
      );
      const result = await runner.exec(toRun, {
        timeoutMs,
        maxOutputBytes: context.limits.outputLimitBytes,
        signal: context.signal,
        ...(env ? { env } : {}),
      });
      if (wanted.length > 0) await context.credentials?.audit(command, wanted, result.exitCode);
      await context.report({
        command,
        exitCode: result.exitCode,
        timedOut: result.timedOut,
        durationMs: result.durationMs,
        output: [result.stdout, result.stderr].filter(Boolean).join("\n"),
        risk: assessment.level,
      });
      const output = formatExecForModel(result, context.limits.outputLimitBytes);
      if (result.timedOut) return `The command was killed after ${timeoutMs / 1000} s (timeout).\n${output}`;
      return output;
    },
  });
}
