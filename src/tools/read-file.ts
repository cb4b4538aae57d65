import { z } from "zod";
import { headAndTail } from "./format-output.ts";
import { defineTool } from "./tool.ts";

export const readFileTool = defineTool({
  name: "read_file",
  description: "Read a text file from this thread's sandbox. Relative paths are against the workspace.",
  parameters: z.object({ path: z.string().min(1).describe("File path inside the sandbox.") }),
  async run({ path }, context) {
    const runner = await context.runner();
    const bytes = await runner.readFile(path, { signal: context.signal });
    if (bytes.includes(0)) return `${path} is a binary file of ${bytes.byteLength} bytes; not shown.`;
    return headAndTail(new TextDecoder().decode(bytes), context.limits.outputLimitBytes);
  },
});
