import { describe, expect, it } from "vitest";
import { loadConfig } from "../../config/load-config.ts";

const model = { OPENAI_API_KEY: "sk-secret-key-value" };
const slack = { SLACK_BOT_TOKEN: "xoxb-test-token", SLACK_SIGNING_SECRET: "signing-secret-value" };
const discord = { DISCORD_TOKEN: "discord-bot-token-value" };

function errorOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error("expected loadConfig to fail");
}

describe("chat platform settings", () => {
  it("runs on Discord alone, without any Slack setting", () => {
    const config = loadConfig({ ...model, ...discord, DISCORD_API_URL: "http://127.0.0.1:9002/api" });
    expect(config.DISCORD_TOKEN).toBe("discord-bot-token-value");
    expect(config.DISCORD_API_URL).toBe("http://127.0.0.1:9002/api");
    expect(config.SLACK_BOT_TOKEN).toBeUndefined();
  });

  it("runs on Slack and Discord together", () => {
    const config = loadConfig({ ...model, ...slack, ...discord });
    expect(config.SLACK_BOT_TOKEN).toBe("xoxb-test-token");
    expect(config.DISCORD_TOKEN).toBe("discord-bot-token-value");
  });

  it("asks for at least one platform, naming both ways, together with the other problems", () => {
    const message = errorOf(() => loadConfig({}));
    expect(message).toContain("SLACK_BOT_TOKEN is required");
    expect(message).toContain("DISCORD_TOKEN or the two Slack settings above");
    expect(message).toContain("OPENAI_API_KEY is required");
  });

  it("wants both Slack settings once one is set, even when Discord is configured", () => {
    const message = errorOf(() => loadConfig({ ...model, ...discord, SLACK_BOT_TOKEN: "xoxb-test-token" }));
    expect(message).toContain("SLACK_SIGNING_SECRET is required");
    expect(message).not.toContain("DISCORD_TOKEN");
  });

  it("names bad Discord values without printing them", () => {
    const message = errorOf(() =>
      loadConfig({
        ...model,
        ...discord,
        DISCORD_API_URL: "not a url at all",
        DISCORD_APPLICATION_ID: "app-42",
      }),
    );
    expect(message).toContain("DISCORD_API_URL");
    expect(message).toContain("DISCORD_APPLICATION_ID");
    expect(message).not.toContain("not a url at all");
    expect(message).not.toContain("app-42");
  });
});
