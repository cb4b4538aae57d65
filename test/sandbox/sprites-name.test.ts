import { describe, expect, it } from "vitest";
import { labelsForKey, spriteNameForKey, threadKeyHash } from "../../src/sandbox/sprites/sprite-name.ts";

const DNS_LABEL = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/;

describe("Sprite names", () => {
  it("makes DNS-safe names of bounded length from any thread key", () => {
    const keys = [
      "slack:T01ABC/C02DEF/1712345678.000100",
      "discord:123456789012345678/987654321098765432",
      "UPPER and spaces ünïcödé 🚀",
      "---",
      "",
      "x".repeat(500),
    ];
    for (const key of keys) {
      const name = spriteNameForKey(key);
      expect(name).toMatch(DNS_LABEL);
      expect(name).not.toContain("--");
      expect(name.length).toBeLessThanOrEqual(50);
      expect(name.startsWith("th-")).toBe(true);
    }
  });

  it("keeps keys that sanitise alike apart and maps one key to one name", () => {
    const a = spriteNameForKey("slack:T01/C02/1.5");
    const b = spriteNameForKey("slack:T01/C02/1-5");
    expect(a).not.toBe(b);
    expect(spriteNameForKey("slack:T01/C02/1.5")).toBe(a);
    expect(spriteNameForKey("slack:T01/C02/1.5", "prod")).toMatch(/^prod-/);
  });

  it("labels a Sprite as ours and with its thread key's hash", () => {
    const key = "slack:T01/C02/1712345678.000100";
    expect(labelsForKey(key)).toEqual(["threadhands", `threadhands-key-${threadKeyHash(key)}`]);
    for (const label of labelsForKey(key)) expect(label).toMatch(DNS_LABEL);
  });
});
