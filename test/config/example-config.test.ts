import path from "node:path";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../../config/load-config.ts";

describe("the example configuration", () => {
  it("is valid and equals the defaults, so it documents them truthfully", () => {
    const env = { SLACK_BOT_TOKEN: "xoxb-x", SLACK_SIGNING_SECRET: "s", OPENAI_API_KEY: "k" };
    const example = loadConfig({
      ...env,
      THREADHANDS_CONFIG: path.resolve(import.meta.dirname, "../../config/threadhands.example.yaml"),
    });
    const defaults = loadConfig(env);
    expect({ ...example, THREADHANDS_CONFIG: undefined }).toEqual({
      ...defaults,
      THREADHANDS_CONFIG: undefined,
    });
  });
});
