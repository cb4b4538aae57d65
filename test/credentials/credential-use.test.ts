import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { expect, it } from "vitest";
import { createScrubber } from "../../src/credentials/scrubber.ts";
import { alice, startCredentialsHarness } from "./credentials-harness.ts";

const run = promisify(execFile);

it("gives a real process the linked token for one exec and scrubs every form of it from the output", async () => {
  const harness = await startCredentialsHarness();
  try {
    await harness.link(alice);
    const resolved = await harness.broker.resolve({ owner: alice, providers: ["github"] });
    if (!resolved.ok) throw new Error("expected a token");
    const script = [
      'echo "plain $GH_TOKEN"',
      'printf "%s" "$GITHUB_TOKEN" | base64',
      'echo "x$GH_TOKEN" | base64',
      'printf "%s" "x-access-token:$GH_TOKEN" | base64',
      'printf "%s" "$GH_TOKEN" | od -An -tx1 | tr -d " \\n"; echo',
    ].join("\n");
    // Only this one process gets the variables, as ExecOptions.env does for a sandbox exec.
    const { stdout } = await run("sh", ["-c", script], { env: { PATH: process.env.PATH, ...resolved.env } });
    const token = resolved.env.GH_TOKEN ?? "";
    expect(stdout).toContain(token);
    const scrubbed = createScrubber(resolved.secrets).scrub(stdout);
    expect(scrubbed.split("\n").filter(Boolean)).toHaveLength(5);
    expect(scrubbed).not.toContain(token);
    expect(scrubbed).not.toContain(Buffer.from(token).toString("base64").slice(0, 16));
    expect(scrubbed).not.toContain(Buffer.from(token).toString("hex").slice(0, 16));
    expect(scrubbed).toContain("plain [redacted]");
  } finally {
    await harness.close();
  }
});
