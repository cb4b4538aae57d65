import OpenAI from "openai";
import type { ChatCompletionMessageParam } from "openai/resources/chat/completions";
import { AppError, isAbortError } from "../errors.ts";
import type { LanguageModel, ModelMessage, ModelReply } from "./language-model.ts";

export interface OpenAIModelOptions {
  apiKey: string;
  baseURL?: string;
  model: string;
  /** The SDK retries 408/409/429/5xx and connection errors with exponential backoff. */
  maxRetries: number;
  timeoutMs: number;
}

export function createOpenAIModel(options: OpenAIModelOptions): LanguageModel {
  const client = new OpenAI({
    apiKey: options.apiKey,
    baseURL: options.baseURL,
    maxRetries: options.maxRetries,
    timeout: options.timeoutMs,
  });

  return {
    async complete({ messages, tools, signal }): Promise<ModelReply> {
      try {
        const completion = await client.chat.completions.create(
          {
            model: options.model,
            messages: messages.map(toOpenAIMessage),
            tools: tools.map((tool) => ({
              type: "function" as const,
              function: { name: tool.name, description: tool.description, parameters: tool.parameters },
            })),
          },
          { signal },
        );
        const message = completion.choices[0]?.message;
        if (!message)
          throw new AppError("model_empty_reply", "The model returned no choices.", { retryable: true });
        return {
          content: message.content ?? null,
          toolCalls: (message.tool_calls ?? []).flatMap((call) =>
            call.type === "function"
              ? [{ id: call.id, name: call.function.name, arguments: call.function.arguments }]
              : [],
          ),
          usage: {
            inputTokens: completion.usage?.prompt_tokens ?? 0,
            outputTokens: completion.usage?.completion_tokens ?? 0,
          },
        };
      } catch (error) {
        if (error instanceof AppError || isAbortError(error)) throw error;
        throw translateModelError(error);
      }
    },
  };
}

function translateModelError(error: unknown): AppError {
  if (error instanceof OpenAI.APIError) {
    const status = error.status ?? "no status";
    return new AppError("model_http_error", `The model API failed (HTTP ${status}) after retries.`, {
      retryable: true,
      cause: error,
    });
  }
  return new AppError("model_unreachable", "The model API could not be reached.", {
    retryable: true,
    cause: error,
  });
}

function toOpenAIMessage(message: ModelMessage): ChatCompletionMessageParam {
  switch (message.role) {
    case "system":
      return { role: "system", content: message.content };
    case "user":
      return message.name
        ? { role: "user", content: message.content, name: message.name }
        : { role: "user", content: message.content };
    case "tool":
      return { role: "tool", tool_call_id: message.toolCallId, content: message.content };
    case "assistant":
      return {
        role: "assistant",
        content: message.content,
        ...(message.toolCalls?.length
          ? {
              tool_calls: message.toolCalls.map((call) => ({
                id: call.id,
                type: "function" as const,
                function: { name: call.name, arguments: call.arguments },
              })),
            }
          : {}),
      };
  }
}
