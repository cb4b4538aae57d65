/**
 * The objects of a newline-delimited JSON body, as they arrive. A line that is not JSON is a
 * protocol fault, not something to skip: the SDK's silent skipping is how an `error` line can
 * be lost and a failed restore look like a successful one.
 */
export async function* ndjsonLines(
  body: ReadableStream<Uint8Array>,
): AsyncGenerator<Record<string, unknown>> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  try {
    for (;;) {
      const { value, done } = await reader.read();
      buffer += done ? decoder.decode() : decoder.decode(value, { stream: true });
      let newline = buffer.indexOf("\n");
      while (newline >= 0) {
        const line = buffer.slice(0, newline).trim();
        buffer = buffer.slice(newline + 1);
        if (line) yield parseLine(line);
        newline = buffer.indexOf("\n");
      }
      if (done) break;
    }
    const rest = buffer.trim();
    if (rest) yield parseLine(rest);
  } finally {
    await reader.cancel().catch(() => {});
  }
}

function parseLine(line: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(line);
    if (value && typeof value === "object" && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // Reported below with the same words as a non-object line.
  }
  return { type: "error", error: `unreadable progress line: ${line.slice(0, 200)}` };
}
