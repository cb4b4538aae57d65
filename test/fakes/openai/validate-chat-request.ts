/**
 * The request checks the real Chat Completions endpoint applies before any model runs. A bot
 * that sends a malformed history gets HTTP 400 in production; the fake answers the same, so a
 * test cannot pass on a conversation OpenAI would reject.
 */

export interface RequestProblem {
  message: string;
  param: string | null;
}

type JsonObject = Record<string, unknown>;

const isObject = (value: unknown): value is JsonObject =>
  typeof value === "object" && value !== null && !Array.isArray(value);

const ROLES = new Set(["system", "developer", "user", "assistant", "tool", "function"]);
const FUNCTION_NAME = /^[a-zA-Z0-9_-]{1,64}$/;

export function validateChatRequest(body: unknown): RequestProblem | undefined {
  if (!isObject(body)) return { message: "The request body must be a JSON object.", param: null };
  if (typeof body.model !== "string" || body.model.length === 0) {
    return { message: "you must provide a model parameter", param: null };
  }
  if (!Array.isArray(body.messages))
    return { message: "'messages' is a required property", param: "messages" };
  if (body.messages.length === 0) {
    return { message: "[] is too short - 'messages'", param: "messages" };
  }
  return validateTools(body.tools) ?? validateMessages(body.messages);
}

function validateTools(tools: unknown): RequestProblem | undefined {
  if (tools === undefined) return undefined;
  if (!Array.isArray(tools))
    return { message: "Invalid type for 'tools': expected an array.", param: "tools" };
  for (const [index, tool] of tools.entries()) {
    const param = `tools[${index}]`;
    if (!isObject(tool) || tool.type !== "function" || !isObject(tool.function)) {
      return { message: `Invalid value for '${param}': expected a function tool.`, param };
    }
    const name = tool.function.name;
    if (typeof name !== "string" || !FUNCTION_NAME.test(name)) {
      return {
        message: `Invalid '${param}.function.name': string does not match pattern. Expected a string that matches the pattern '^[a-zA-Z0-9_-]+$'.`,
        param: `${param}.function.name`,
      };
    }
  }
  return undefined;
}

function validateMessages(messages: unknown[]): RequestProblem | undefined {
  // Tool call ids of the latest assistant message still waiting for their tool messages.
  let pending: string[] = [];
  let pendingAt = -1;
  for (const [index, message] of messages.entries()) {
    const param = `messages[${index}]`;
    if (!isObject(message) || typeof message.role !== "string" || !ROLES.has(message.role)) {
      return { message: `Invalid value for '${param}.role'.`, param: `${param}.role` };
    }
    if (message.role === "tool") {
      const id = message.tool_call_id;
      if (typeof id !== "string") {
        return {
          message: `Missing required parameter: '${param}.tool_call_id'.`,
          param: `${param}.tool_call_id`,
        };
      }
      if (!pending.includes(id)) {
        return {
          message: `Invalid parameter: messages with role 'tool' must be a response to a preceeding message with 'tool_calls'.`,
          param: `${param}.role`,
        };
      }
      if (typeof message.content !== "string" && !Array.isArray(message.content)) {
        return {
          message: `Invalid type for '${param}.content': expected a string.`,
          param: `${param}.content`,
        };
      }
      pending = pending.filter((pendingId) => pendingId !== id);
      continue;
    }
    if (pending.length > 0) return unansweredToolCalls(pending, pendingAt);
    if (message.role === "assistant" && message.tool_calls !== undefined) {
      const problem = validateToolCalls(message.tool_calls, param);
      if (problem) return problem;
      pending = (message.tool_calls as JsonObject[]).map((call) => call.id as string);
      pendingAt = index;
    } else if (message.content === undefined || (message.content === null && message.role !== "assistant")) {
      return { message: `Missing required parameter: '${param}.content'.`, param: `${param}.content` };
    }
  }
  if (pending.length > 0) return unansweredToolCalls(pending, pendingAt);
  return undefined;
}

function validateToolCalls(toolCalls: unknown, param: string): RequestProblem | undefined {
  if (!Array.isArray(toolCalls)) {
    return {
      message: `Invalid type for '${param}.tool_calls': expected an array.`,
      param: `${param}.tool_calls`,
    };
  }
  for (const [index, call] of toolCalls.entries()) {
    const at = `${param}.tool_calls[${index}]`;
    if (!isObject(call) || typeof call.id !== "string") {
      return { message: `Missing required parameter: '${at}.id'.`, param: `${at}.id` };
    }
    if (call.type !== "function" || !isObject(call.function) || typeof call.function.name !== "string") {
      return { message: `Invalid value for '${at}': expected a function tool call.`, param: at };
    }
    // A common client bug: echoing back parsed arguments instead of the original string.
    if (typeof call.function.arguments !== "string") {
      return {
        message: `Invalid type for '${at}.function.arguments': expected a string, but got ${typeof call.function.arguments} instead.`,
        param: `${at}.function.arguments`,
      };
    }
  }
  return undefined;
}

function unansweredToolCalls(pending: string[], at: number): RequestProblem {
  return {
    message: `An assistant message with 'tool_calls' must be followed by tool messages responding to each 'tool_call_id'. The following tool_call_ids did not have response messages: ${pending.join(", ")}`,
    param: `messages.[${at}].role`,
  };
}
