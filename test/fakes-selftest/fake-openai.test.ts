import OpenAI from "openai";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createFakeOpenAI, type FakeOpenAI } from "../fakes/openai/fake-openai.ts";

const API_KEY = "sk-selftest-0123456789";
const TOOLS: OpenAI.Chat.Completions.ChatCompletionTool[] = [
  {
    type: "function",
    function: {
      name: "run_command",
      description: "Run a shell command in the sandbox",
      parameters: { type: "object", properties: { command: { type: "string" } }, required: ["command"] },
    },
  },
];

// The real SDK, so the fake must produce what it parses and accept what it sends.
describe("fake OpenAI driven by the openai package", () => {
  let fake: FakeOpenAI;
  let client: OpenAI;
  beforeEach(async () => {
    fake = await createFakeOpenAI({ apiKey: API_KEY });
    client = new OpenAI({ apiKey: API_KEY, baseURL: fake.url, maxRetries: 0 });
  });
  afterEach(async () => {
    await fake.close();
  });

  it("round-trips a tool call and a final answer", async () => {
    fake.script(
      { toolCalls: [{ name: "run_command", arguments: { command: "df -h" } }] },
      {
        expect: (request) => {
          const last = request.body.messages.at(-1);
          expect(last).toMatchObject({ role: "tool", content: "/dev/sda1 100%" });
        },
        content: "The disk is full.",
      },
    );
    const messages: OpenAI.Chat.Completions.ChatCompletionMessageParam[] = [
      { role: "system", content: "You are an SRE." },
      { role: "user", content: "why is db-1 down?" },
    ];
    const first = await client.chat.completions.create({ model: "gpt-test", messages, tools: TOOLS });
    expect(first).toMatchObject({ object: "chat.completion", model: "gpt-test" });
    const choice = first.choices[0];
    expect(choice?.finish_reason).toBe("tool_calls");
    const call = choice?.message.tool_calls?.[0];
    if (call?.type !== "function") throw new Error("expected a function tool call");
    expect(call.id).toMatch(/^call_[A-Za-z0-9]{24}$/);
    expect(JSON.parse(call.function.arguments)).toEqual({ command: "df -h" });
    expect(first.usage?.total_tokens).toBeGreaterThan(0);

    messages.push(choice?.message as OpenAI.Chat.Completions.ChatCompletionMessageParam, {
      role: "tool",
      tool_call_id: call.id,
      content: "/dev/sda1 100%",
    });
    const second = await client.chat.completions.create({ model: "gpt-test", messages, tools: TOOLS });
    expect(second.choices[0]).toMatchObject({
      finish_reason: "stop",
      message: { content: "The disk is full." },
    });
    expect(fake.chatRequests[0]?.headers.authorization).toBe(`Bearer ${API_KEY}`);
    expect(fake.chatRequests[1]?.body.tools).toEqual(TOOLS);
    fake.assertDone();
  });

  it("passes broken JSON arguments through verbatim", async () => {
    fake.script({ toolCalls: [{ name: "run_command", arguments: '{"command": "ls -la' }] });
    const result = await client.chat.completions.create({
      model: "m",
      messages: [{ role: "user", content: "x" }],
    });
    expect(result.choices[0]?.message.tool_calls?.[0]).toMatchObject({
      function: { arguments: '{"command": "ls -la' },
    });
    fake.assertDone();
  });

  it("fails an unexpected call with a 500 and makes assertDone throw", async () => {
    await expect(
      client.chat.completions.create({ model: "m", messages: [{ role: "user", content: "hello?" }] }),
    ).rejects.toMatchObject({ status: 500, message: expect.stringMatching(/script is empty/) });
    expect(() => fake.assertDone()).toThrow(/unexpected chat completion/);
  });

  it("reports unconsumed steps and failed expectations", async () => {
    fake.script({ content: "never asked" });
    expect(() => fake.assertDone()).toThrow(/1 scripted step\(s\) never consumed: content "never asked"/);
    await client.chat.completions.create({ model: "m", messages: [{ role: "user", content: "consume it" }] });
    fake.assertDone();

    fake.script({ expect: () => expect(1).toBe(2), content: "x" });
    await expect(
      client.chat.completions.create({ model: "m", messages: [{ role: "user", content: "hi" }] }),
    ).rejects.toMatchObject({ status: 500, message: expect.stringMatching(/rejected the request/) });
    expect(() => fake.assertDone()).toThrow(/content "x".*rejected the request/);
  });

  it("serves scripted HTTP errors, dynamic steps and a request the real API would reject", async () => {
    fake.script({ httpError: 429, headers: { "retry-after": "0" } }, (request) => ({
      content: `you said ${String(request.body.messages.at(-1)?.content)}`,
    }));
    await expect(
      client.chat.completions.create({ model: "m", messages: [{ role: "user", content: "a" }] }),
    ).rejects.toBeInstanceOf(OpenAI.RateLimitError);
    const echoed = await client.chat.completions.create({
      model: "m",
      messages: [{ role: "user", content: "b" }],
    });
    expect(echoed.choices[0]?.message.content).toBe("you said b");
    fake.assertDone();

    // An assistant tool call left without its tool message is a 400 on the real API.
    await expect(
      client.chat.completions.create({
        model: "m",
        messages: [
          { role: "user", content: "a" },
          {
            role: "assistant",
            content: null,
            tool_calls: [
              { id: "call_1", type: "function", function: { name: "run_command", arguments: "{}" } },
            ],
          },
          { role: "user", content: "b" },
        ],
      }),
    ).rejects.toMatchObject({ status: 400, message: expect.stringMatching(/call_1/) });
    expect(() => fake.assertDone()).toThrow(/tool_call_ids did not have response messages/);
  });

  it("checks the API key and records raw bodies for leak searches", async () => {
    const wrongKey = new OpenAI({ apiKey: "sk-wrong", baseURL: fake.url, maxRetries: 0 });
    await expect(
      wrongKey.chat.completions.create({
        model: "m",
        messages: [{ role: "user", content: "token=ghp_secret123" }],
      }),
    ).rejects.toBeInstanceOf(OpenAI.AuthenticationError);
    expect(fake.requestsContaining("ghp_secret123")).toHaveLength(1);
    expect(() => fake.assertDone()).toThrow(/Incorrect API key/);
  });

  it("streams when asked, in chunks the SDK reassembles", async () => {
    fake.script({
      toolCalls: [{ name: "run_command", arguments: { command: "uptime" } }],
      content: "Checking.",
    });
    const stream = client.chat.completions.stream({
      model: "m",
      messages: [{ role: "user", content: "load?" }],
      tools: TOOLS,
      stream_options: { include_usage: true },
    });
    const completion = await stream.finalChatCompletion();
    const message = completion.choices[0]?.message;
    expect(message?.content).toBe("Checking.");
    expect(message?.tool_calls?.[0]).toMatchObject({
      type: "function",
      function: { name: "run_command", arguments: '{"command":"uptime"}' },
    });
    expect(completion.choices[0]?.finish_reason).toBe("tool_calls");
    expect(completion.usage?.total_tokens).toBeGreaterThan(0);
    fake.assertDone();
  });
});
