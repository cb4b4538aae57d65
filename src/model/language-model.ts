/** The brain's port: one chat-completion step with tools. Messages are ours, not a vendor's. */

export interface ToolCall {
  id: string;
  name: string;
  /** Raw JSON text exactly as the model produced it; it may be broken. */
  arguments: string;
}

export type ModelMessage =
  | { role: "system"; content: string }
  | { role: "user"; content: string; name?: string }
  | { role: "assistant"; content: string | null; toolCalls?: ToolCall[] }
  | { role: "tool"; toolCallId: string; content: string };

export interface ToolSpec {
  name: string;
  description: string;
  /** JSON Schema of the arguments object. */
  parameters: Record<string, unknown>;
}

export interface ModelReply {
  content: string | null;
  toolCalls: ToolCall[];
  usage: { inputTokens: number; outputTokens: number };
}

export interface LanguageModel {
  complete(request: {
    messages: ModelMessage[];
    tools: ToolSpec[];
    signal?: AbortSignal;
  }): Promise<ModelReply>;
}
