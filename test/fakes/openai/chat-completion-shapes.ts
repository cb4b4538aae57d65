import { randomBytes } from "node:crypto";

/**
 * Wire shapes of the Chat Completions API: the `chat.completion` object, its streamed
 * `chat.completion.chunk` form, and the `{ error: {...} }` body of failed calls.
 */

export interface WireToolCall {
  id: string;
  type: "function";
  function: { name: string; arguments: string };
}

export interface ChatCompletion {
  id: string;
  object: "chat.completion";
  created: number;
  model: string;
  choices: Array<{
    index: number;
    message: {
      role: "assistant";
      content: string | null;
      refusal: null;
      annotations: unknown[];
      tool_calls?: WireToolCall[];
    };
    logprobs: null;
    finish_reason: "stop" | "tool_calls" | "length";
  }>;
  usage: {
    prompt_tokens: number;
    completion_tokens: number;
    total_tokens: number;
    prompt_tokens_details: { cached_tokens: number; audio_tokens: number };
    completion_tokens_details: { reasoning_tokens: number; audio_tokens: number };
  };
  service_tier: "default";
  system_fingerprint: string;
}

const alphanumeric = (length: number): string =>
  randomBytes(length * 2)
    .toString("base64")
    .replace(/[^A-Za-z0-9]/g, "")
    .slice(0, length);

export const newToolCallId = (): string => `call_${alphanumeric(24)}`;
export const newCompletionId = (): string => `chatcmpl-${alphanumeric(29)}`;
export const newRequestId = (): string => `req_${randomBytes(16).toString("hex")}`;

/** A rough token count (4 characters a token), so usage numbers move with input size. */
export const estimateTokens = (text: string): number => Math.max(1, Math.ceil(text.length / 4));

export function buildCompletion(input: {
  model: string;
  content: string | null;
  toolCalls: WireToolCall[];
  finishReason: "stop" | "tool_calls" | "length";
  promptText: string;
}): ChatCompletion {
  const completionText =
    (input.content ?? "") + input.toolCalls.map((call) => call.function.arguments).join("");
  const promptTokens = estimateTokens(input.promptText);
  const completionTokens = estimateTokens(completionText);
  return {
    id: newCompletionId(),
    object: "chat.completion",
    created: Math.floor(Date.now() / 1000),
    model: input.model,
    choices: [
      {
        index: 0,
        message: {
          role: "assistant",
          content: input.content,
          refusal: null,
          annotations: [],
          ...(input.toolCalls.length > 0 ? { tool_calls: input.toolCalls } : {}),
        },
        logprobs: null,
        finish_reason: input.finishReason,
      },
    ],
    usage: {
      prompt_tokens: promptTokens,
      completion_tokens: completionTokens,
      total_tokens: promptTokens + completionTokens,
      prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
      completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0 },
    },
    service_tier: "default",
    system_fingerprint: "fp_fake0000",
  };
}

const pieces = (text: string, size: number): string[] => {
  const out: string[] = [];
  for (let index = 0; index < text.length; index += size) out.push(text.slice(index, index + size));
  return out;
};

/**
 * The same completion as `stream: true` delivers it: a role chunk, content deltas, per tool
 * call a header delta (index, id, name) followed by argument fragments, a finish chunk, and
 * with `stream_options.include_usage` a last chunk with empty choices and the usage.
 */
export function streamChunks(completion: ChatCompletion, includeUsage: boolean): unknown[] {
  const choice = completion.choices[0];
  if (!choice) return [];
  const base = {
    id: completion.id,
    object: "chat.completion.chunk",
    created: completion.created,
    model: completion.model,
    service_tier: completion.service_tier,
    system_fingerprint: completion.system_fingerprint,
    ...(includeUsage ? { usage: null } : {}),
  };
  const chunk = (delta: Record<string, unknown>, finishReason: string | null = null) => ({
    ...base,
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
  });
  const chunks: unknown[] = [chunk({ role: "assistant", content: "", refusal: null })];
  for (const piece of pieces(choice.message.content ?? "", 12)) chunks.push(chunk({ content: piece }));
  (choice.message.tool_calls ?? []).forEach((call, index) => {
    chunks.push(
      chunk({
        tool_calls: [
          { index, id: call.id, type: "function", function: { name: call.function.name, arguments: "" } },
        ],
      }),
    );
    for (const piece of pieces(call.function.arguments, 8)) {
      chunks.push(chunk({ tool_calls: [{ index, function: { arguments: piece } }] }));
    }
  });
  chunks.push(chunk({}, choice.finish_reason));
  if (includeUsage) chunks.push({ ...base, choices: [], usage: completion.usage });
  return chunks;
}

export function errorBody(
  message: string,
  type = "invalid_request_error",
  code: string | null = null,
  param: string | null = null,
) {
  return { error: { message, type, param, code } };
}
