import { readdirSync, readFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";

/**
 * The rings of DESIGN.md §1, read from the import statements themselves: the core's agent,
 * session and policy code import no vendor SDK and no child_process; bots/ and queue/ never
 * import each other; one chat adapter never imports another.
 */

const root = resolve(import.meta.dirname, "../..");

const vendorSdks = [
  "@slack/",
  "discord.js",
  "@discordjs/",
  "bullmq",
  "ioredis",
  "openai",
  "@fly/sprites",
  "pino",
  "node:child_process",
  "child_process",
];

function sourceFiles(folder: string): string[] {
  const dir = join(root, folder);
  return readdirSync(dir, { recursive: true, encoding: "utf8" })
    .filter((file) => file.endsWith(".ts"))
    .map((file) => join(dir, file));
}

function importsOf(source: string): string[] {
  const specifiers: string[] = [];
  const pattern =
    /(?:^|\n)\s*(?:import|export)\b[^'"`;]*?from\s*["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)|(?:^|\n)\s*import\s*["']([^"']+)["']/g;
  for (const match of source.matchAll(pattern)) specifiers.push(match[1] ?? match[2] ?? match[3] ?? "");
  return specifiers;
}

function resolvedTargets(file: string): string[] {
  return importsOf(readFileSync(file, "utf8")).map((specifier) =>
    specifier.startsWith(".") ? relative(root, resolve(file, "..", specifier)) : specifier,
  );
}

function violations(folders: string[], isForbidden: (target: string) => boolean): string[] {
  return folders.flatMap((folder) =>
    sourceFiles(folder).flatMap((file) =>
      resolvedTargets(file)
        .filter(isForbidden)
        .map((target) => `${relative(root, file)} imports ${target}`),
    ),
  );
}

describe("import rings", () => {
  it("finds static, side-effect and dynamic imports (so the rules below can fail)", () => {
    const source = `import a from "openai";\nimport "ioredis";\nexport { b } from "../x.ts";\nconst c = await import("bullmq");`;
    expect(importsOf(source)).toEqual(["openai", "ioredis", "../x.ts", "bullmq"]);
  });

  it("keeps the agent loop, sessions and risk policy free of vendor SDKs and child_process", () => {
    const forbidden = (target: string) => vendorSdks.some((sdk) => target === sdk || target.startsWith(sdk));
    expect(violations(["src/agent", "src/session", "src/policy"], forbidden)).toEqual([]);
  });

  it("keeps the core from importing chat adapters or the queue", () => {
    const forbidden = (target: string) => target.startsWith("bots/") || target.startsWith("queue/");
    const core = [
      "src/agent",
      "src/session",
      "src/policy",
      "src/tools",
      "src/chat",
      "src/sandbox",
      "src/model",
    ];
    expect(violations(core, forbidden)).toEqual([]);
  });

  it("keeps bots and queue from importing each other", () => {
    expect(violations(["bots"], (target) => target.startsWith("queue/"))).toEqual([]);
    expect(violations(["queue"], (target) => target.startsWith("bots/"))).toEqual([]);
  });

  it("keeps the Slack adapter and the Discord adapter apart", () => {
    expect(
      violations(
        ["bots/slack"],
        (target) => target.startsWith("bots/discord") || target.startsWith("discord"),
      ),
    ).toEqual([]);
  });
});
