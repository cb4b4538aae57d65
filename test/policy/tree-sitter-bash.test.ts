import { describe, expect, it, vi } from "vitest";

const init = vi.hoisted(() => ({ failuresLeft: 1 }));

// Only Parser.init is wrapped: the first call fails as a missing or broken runtime would.
vi.mock("web-tree-sitter", async (importOriginal) => {
  const actual = await importOriginal<typeof import("web-tree-sitter")>();
  class FlakyParser extends actual.Parser {
    static override async init(...args: Parameters<typeof actual.Parser.init>): Promise<void> {
      if (init.failuresLeft > 0) {
        init.failuresLeft -= 1;
        throw new Error("wasm runtime unavailable");
      }
      return actual.Parser.init(...args);
    }
  }
  return { ...actual, Parser: FlakyParser };
});

const { classifyCommand } = await import("../../src/policy/classify-command.ts");

describe("loading tree-sitter-bash", () => {
  it("fails safe while the parser cannot load, and loads again on the next call", async () => {
    expect(await classifyCommand("ls")).toEqual({
      level: "destructive",
      reasons: ["the shell parser could not start; treated as destructive"],
    });
    expect(await classifyCommand("ls")).toEqual({ level: "read", reasons: ["ls only reads"] });
  });
});
