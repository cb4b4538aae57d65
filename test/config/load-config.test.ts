import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../../config/load-config.ts";

const validEnv = {
  SLACK_BOT_TOKEN: "xoxb-test-token",
  SLACK_SIGNING_SECRET: "signing-secret-value",
  OPENAI_API_KEY: "sk-secret-key-value",
};

function yamlFile(text: string): string {
  const dir = mkdtempSync(join(tmpdir(), "threadhands-config-"));
  const file = join(dir, "threadhands.yaml");
  writeFileSync(file, text);
  return file;
}

function errorOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error("expected loadConfig to fail");
}

describe("loadConfig", () => {
  it("serves defaults when only the secrets are set", () => {
    const config = loadConfig(validEnv);
    expect(config.PORT).toBe(3000);
    expect(config.SANDBOX_PROVIDER).toBe("local");
    expect(config.policy.checkpointAt).toBe("destructive");
    expect(config.queue.concurrency).toBeGreaterThan(0);
  });

  it("reports every missing secret at once, each with where to get it", () => {
    const message = errorOf(() => loadConfig({}));
    expect(message).toContain("SLACK_BOT_TOKEN is required (Slack app settings → OAuth & Permissions");
    expect(message).toContain("SLACK_SIGNING_SECRET is required");
    expect(message).toContain("OPENAI_API_KEY is required");
  });

  it("names a bad variable without printing its value", () => {
    const message = errorOf(() =>
      loadConfig({ ...validEnv, SLACK_BOT_TOKEN: "not-a-bot-token-42", PORT: "99999" }),
    );
    expect(message).toContain("SLACK_BOT_TOKEN");
    expect(message).toContain("PORT");
    expect(message).not.toContain("not-a-bot-token-42");
    expect(message).not.toContain("99999");
  });

  it("reads behaviour from the YAML file and reports its bad keys by path", () => {
    const good = yamlFile("queue:\n  concurrency: 9\npolicy:\n  checkpointAt: write\n");
    expect(loadConfig({ ...validEnv, THREADHANDS_CONFIG: good }).queue.concurrency).toBe(9);

    const bad = yamlFile("queue:\n  concurrency: -1\npolicy:\n  checkpointAt: sometimes\nunknownKey: 1\n");
    const message = errorOf(() => loadConfig({ ...validEnv, THREADHANDS_CONFIG: bad }));
    expect(message).toContain("queue.concurrency");
    expect(message).toContain("policy.checkpointAt");
    expect(message).toContain("unknownKey");
  });

  it("reports environment and file problems together", () => {
    const bad = yamlFile("queue: [not, an, object]\n");
    const message = errorOf(() => loadConfig({ THREADHANDS_CONFIG: bad }));
    expect(message).toContain("OPENAI_API_KEY");
    expect(message).toContain("queue");
  });
});
