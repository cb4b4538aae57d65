import { describe, expect, it } from "vitest";
import { createLogger, createSecretLogFilter, withTurn } from "../../src/observability/logger.ts";

const thread = { platform: "slack", workspace: "T1", channel: "C1", thread: "1700000000.000100" } as const;

function collectingLogger(options: Parameters<typeof createLogger>[0] = {}) {
  const lines: string[] = [];
  const logger = createLogger({
    level: "debug",
    ...options,
    destination: { write: (line) => void lines.push(line) },
  });
  return { logger, lines, parsed: () => lines.map((line) => JSON.parse(line) as Record<string, unknown>) };
}

describe("the JSON logger", () => {
  it("redacts secret-looking keys at the top, one level down, in headers and in a whole env", () => {
    const { logger, lines, parsed } = collectingLogger();
    logger.info(
      {
        token: "top-level-token-value",
        user: { accessToken: "user-access-token", refreshToken: "user-refresh-token", name: "alice" },
        request: { headers: { authorization: "Bearer header-secret", accept: "*/*" } },
        headers: { authorization: "Bearer other-header-secret" },
        client: { apiKey: "sk-live-api-key", secret: "client-secret-value" },
        env: { OPENAI_API_KEY: "sk-env-key", HOME: "/home/alice" },
        config: { SLACK_BOT_TOKEN: "xoxb-config-token" },
      },
      "configured",
    );
    const output = lines.join("");
    for (const secret of [
      "top-level-token-value",
      "user-access-token",
      "user-refresh-token",
      "header-secret",
      "sk-live-api-key",
      "client-secret-value",
      "sk-env-key",
      "/home/alice",
      "xoxb-config-token",
    ]) {
      expect(output).not.toContain(secret);
    }
    const [line] = parsed();
    expect(line?.user).toEqual({ accessToken: "[redacted]", refreshToken: "[redacted]", name: "alice" });
    expect(line?.request).toEqual({ headers: { authorization: "[redacted]", accept: "*/*" } });
    expect(line?.env).toEqual({ OPENAI_API_KEY: "[redacted]", HOME: "[redacted]" });
    expect(line?.level).toBe("info");
    expect(line?.msg).toBe("configured");
  });

  it("never writes a planted secret, deep in an object or inside the message, once the filter knows it", () => {
    const secret = 'ghp_Planted"Secret/Value+42';
    const live = new Set<string>([secret]);
    const { logger, lines } = collectingLogger({ scrub: createSecretLogFilter(() => live) });
    logger.info({ job: { data: { step: { output: `cloned with ${secret} ok` } } } }, "deep object");
    logger.warn(`the command printed ${secret} to stdout`);
    logger.error({ err: new Error(`git failed for https://x:${secret}@github.com`) }, "with an error");
    logger.info(
      { encoded: Buffer.from(secret).toString("base64"), url: encodeURIComponent(secret) },
      "forms",
    );
    const output = lines.join("");
    expect(lines).toHaveLength(4);
    expect(output).not.toContain(secret);
    expect(output).not.toContain(JSON.stringify(secret).slice(1, -1));
    expect(output).not.toContain(Buffer.from(secret).toString("base64"));
    expect(output).not.toContain(encodeURIComponent(secret));
    expect(output).toContain("cloned with [redacted] ok");
    expect(output).toContain("the command printed [redacted] to stdout");
    // Every line is still valid JSON after scrubbing.
    for (const line of lines) expect(() => JSON.parse(line)).not.toThrow();
  });

  it("covers a secret that becomes known after the logger was created", () => {
    const live = new Set<string>();
    const { logger, lines } = collectingLogger({ scrub: createSecretLogFilter(() => live) });
    live.add("just-in-time-token");
    logger.info("using just-in-time-token now");
    live.delete("just-in-time-token");
    expect(lines.join("")).not.toContain("just-in-time-token");
  });

  it("leaves values too short to be a real secret alone", () => {
    const filter = createSecretLogFilter(() => ["ab", "abcdefghij"]);
    expect(filter('{"msg":"ab cab abcdefghij"}')).toBe('{"msg":"ab cab [redacted]"}');
  });

  it("scrubs the base64 of a secret inside basic auth, as git sends it", () => {
    const secret = "gho_16C7e42F292c6912E7710c838347Ae178B4a";
    const filter = createSecretLogFilter(() => [secret]);
    const basic = Buffer.from(`x-access-token:${secret}`).toString("base64");
    expect(filter(JSON.stringify({ msg: `Authorization: Basic ${basic}` }))).not.toContain(basic);
  });

  it("serialises errors under err with type, message and stack", () => {
    const { logger, parsed } = collectingLogger();
    logger.error({ err: new TypeError("bad thing") }, "failed");
    const err = parsed()[0]?.err as { type: string; message: string; stack: string };
    expect(err.type).toBe("TypeError");
    expect(err.message).toBe("bad thing");
    expect(err.stack).toContain("bad thing");
  });

  it("gives every line of a turn the turn's correlation id and thread", () => {
    const { logger, parsed } = collectingLogger();
    const turn = withTurn(logger, { turnId: "job-123", thread });
    turn.info("step 1");
    turn.child({ step: 2 }).info("step 2");
    const generated = withTurn(logger, { thread });
    generated.info("other turn");
    const [first, second, third] = parsed();
    expect(first).toMatchObject({ turnId: "job-123", thread: "slack:T1:C1:1700000000.000100" });
    expect(second).toMatchObject({ turnId: "job-123", step: 2 });
    expect(third?.turnId).toEqual(expect.any(String));
    expect(third?.turnId).not.toBe("job-123");
  });
});
