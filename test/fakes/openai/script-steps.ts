/** The script language of the fake model: what the next completion call should answer. */

export interface RecordedRequest {
  /** 1-based position among all requests the fake received. */
  index: number;
  method: string;
  path: string;
  headers: Record<string, string>;
  /** The exact bytes received, for searching leaked secrets. */
  rawBody: string;
  /** Parsed JSON body, undefined when it did not parse. */
  body: ChatRequestBody | undefined;
  at: number;
}

/** The parts of a chat completions request tests usually inspect; everything else passes through. */
export interface ChatRequestBody {
  model: string;
  messages: Array<{
    role: string;
    content?: unknown;
    tool_calls?: Array<{ id: string; type: string; function: { name: string; arguments: string } }>;
    tool_call_id?: string;
    [field: string]: unknown;
  }>;
  tools?: Array<{ type: string; function: { name: string; description?: string; parameters?: unknown } }>;
  stream?: boolean;
  stream_options?: { include_usage?: boolean };
  [field: string]: unknown;
}

export interface ChatRequest extends RecordedRequest {
  body: ChatRequestBody;
}

export interface ToolCallSpec {
  name: string;
  /** A string is sent verbatim (so broken JSON can be scripted); anything else is JSON-encoded. */
  arguments: string | Record<string, unknown> | unknown[];
  id?: string;
}

interface StepHooks {
  /** Assertions on the request this step answers; a throw fails the call and `assertDone()`. */
  expect?: (request: ChatRequest) => void;
}

export type ToolCallsStep = StepHooks & { toolCalls: ToolCallSpec[]; content?: string | null };
export type ContentStep = StepHooks & { content: string; finishReason?: "stop" | "length" };
export type HttpErrorStep = StepHooks & {
  httpError: number;
  /** Replaces the default `{ error: {...} }` body. */
  body?: unknown;
  headers?: Record<string, string>;
};
export type StaticStep = ToolCallsStep | ContentStep | HttpErrorStep;
export type DynamicStep = (request: ChatRequest) => StaticStep;
export type ScriptStep = StaticStep | DynamicStep;

export function describeStep(step: ScriptStep): string {
  if (typeof step === "function") return "(dynamic step)";
  if ("httpError" in step) return `httpError ${step.httpError}`;
  if ("toolCalls" in step) return `toolCalls ${step.toolCalls.map((call) => call.name).join(", ")}`;
  return `content ${JSON.stringify(step.content.slice(0, 60))}`;
}
