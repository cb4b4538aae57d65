import { describe, expect, it } from "vitest";
import { buttonRows, customIdFor, parseCustomId } from "../../bots/discord/discord-components.ts";
import {
  answerMessages,
  checkpointMessage,
  commandMessage,
  contentLimit,
  maxAnswerMessages,
  restoredContent,
  splitMarkdown,
} from "../../bots/discord/discord-render.ts";
import type { CommandReport } from "../../src/chat/thread-poster.ts";

const report = (output: string): CommandReport => ({
  command: "cat /var/log/syslog",
  exitCode: 0,
  timedOut: false,
  durationMs: 42,
  output,
  risk: "read",
});

describe("Discord rendering", () => {
  it("keeps a short command result in one code block without a file", () => {
    const message = commandMessage(report("ok\n"));
    expect(message.content).toBe("`$ cat /var/log/syslog`\n✅ exit 0 · 42 ms · read\n```\nok\n```");
    expect(message.file).toBeUndefined();
  });

  it("cuts long output to 2,000 characters and attaches the whole of it as a file", () => {
    const output = `${"head ".repeat(1000)}${"tail ".repeat(1000)}`;
    const message = commandMessage(report(output));
    expect(message.content.length).toBeLessThanOrEqual(contentLimit);
    expect(message.content).toContain("characters cut, full output attached");
    expect(message.content.endsWith("```")).toBe(true);
    expect(message.file?.name).toBe("output.txt");
    expect(message.file?.data.toString()).toBe(output);
  });

  it("never lets output close the code block early", () => {
    expect(commandMessage(report("```\n@everyone\n```")).content.match(/```/g)).toHaveLength(2);
  });

  it("splits a long answer into messages of at most 2,000 characters that each close their code fence", () => {
    const answer = `Findings:\n\`\`\`sh\n${"ls -la /srv/app\n".repeat(180)}\`\`\`\nDone.`;
    const chunks = splitMarkdown(answer, contentLimit);
    expect(chunks.length).toBeGreaterThan(1);
    for (const chunk of chunks) {
      expect(chunk.length).toBeLessThanOrEqual(contentLimit);
      expect((chunk.match(/```/g) ?? []).length % 2).toBe(0);
    }
    expect(chunks.join("").replaceAll("```\n```sh\n", "")).toContain("Done.");
  });

  it("attaches an answer too long for a few messages as a file instead of flooding the thread", () => {
    const answer = "word ".repeat(2000 * maxAnswerMessages);
    const messages = answerMessages(answer);
    expect(messages).toHaveLength(1);
    expect(messages[0]?.content.length).toBeLessThanOrEqual(contentLimit);
    expect(messages[0]?.file?.data.toString()).toBe(answer);
  });

  it("renders Restore as a button whose custom_id carries only the kind and the opaque id", () => {
    const message = checkpointMessage({ restoreId: "4f1c", label: "rm -rf app" });
    expect(message.content).toBe("💾 Checkpoint saved before `rm -rf app`.");
    expect(message.components).toEqual([
      { type: 1, components: [{ type: 2, style: 4, label: "Restore", custom_id: "restore:4f1c" }] },
    ]);
    expect(restoredContent({ label: "rm -rf app", restoredBy: "42", durationMs: 17 })).toBe(
      "Restored to before `rm -rf app` by <@42> in 17 ms",
    );
  });

  it("lays out up to 25 buttons five to a row and refuses more", () => {
    const buttons = Array.from({ length: 25 }, (_, index) => ({
      kind: "restore" as const,
      value: `id${index}`,
      label: `R${index}`,
    }));
    const rows = buttonRows(buttons);
    expect(rows).toHaveLength(5);
    expect(rows.every((row) => row.components.length === 5)).toBe(true);
    expect(() => buttonRows([...buttons, { kind: "restore", value: "one-too-many", label: "R25" }])).toThrow(
      RangeError,
    );
  });

  it("reads back the kinds it writes and nothing else", () => {
    expect(parseCustomId(customIdFor("restore", "abc:def"))).toEqual({ kind: "restore", value: "abc:def" });
    expect(parseCustomId("approve:abc")).toEqual({ kind: "approve", value: "abc" });
    expect(parseCustomId("launch:abc")).toBeUndefined();
    expect(parseCustomId("restore:")).toBeUndefined();
    expect(() => customIdFor("restore", "x".repeat(100))).toThrow(RangeError);
  });
});
