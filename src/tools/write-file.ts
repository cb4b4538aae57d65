import { z } from "zod";
import { shellQuote } from "../sandbox/shell-quote.ts";
import { defineTool } from "./tool.ts";

export const writeFileTool = defineTool({
  name: "write_file",
  description:
    "Create or overwrite a text file in this thread's sandbox (parent folders are created). " +
    "Overwriting an existing file is checkpointed first.",
  parameters: z.object({
    path: z.string().min(1).describe("File path inside the sandbox."),
    content: z.string().describe("The whole new content of the file."),
  }),
  async run({ path, content }, context) {
    const runner = await context.runner();
    // Overwriting is as risky as `>` over an existing file; the guard decides with the same rules.
    const asShell = `cat > ${shellQuote(path)}`;
    await context.protect(asShell, await context.assess(asShell, runner));
    await runner.writeFile(path, content, { signal: context.signal });
    return `Wrote ${Buffer.byteLength(content)} bytes to ${path}.`;
  },
});
