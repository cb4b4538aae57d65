import type { IncomingMessage, ServerResponse } from "node:http";
import { flattenHeaders, sendJson, startServer } from "../http-server.ts";
import {
  buildCompletion,
  errorBody,
  newRequestId,
  newToolCallId,
  streamChunks,
  type WireToolCall,
} from "./chat-completion-shapes.ts";
import {
  type ChatRequest,
  type ChatRequestBody,
  describeStep,
  type RecordedRequest,
  type ScriptStep,
  type StaticStep,
} from "./script-steps.ts";
import { validateChatRequest } from "./validate-chat-request.ts";

export type * from "./script-steps.ts";

/**
 * A scripted OpenAI-compatible Chat Completions server for `new OpenAI({ baseURL })`. Every
 * call consumes the next scripted step; a call the script did not foresee, a request the real
 * API would reject, or a failed `expect` is recorded so `assertDone()` fails the test.
 */

export interface FakeOpenAIOptions {
  /** When set, only this API key is accepted; otherwise any non-empty Bearer key is. */
  apiKey?: string;
}

export interface FakeOpenAI {
  /** `http://127.0.0.1:<port>/v1`, the value for `baseURL`. */
  readonly url: string;
  readonly requests: RecordedRequest[];
  /** Completion requests only, in order. */
  readonly chatRequests: ChatRequest[];
  readonly failures: string[];
  /** Steps not yet consumed. */
  readonly pending: number;
  script(...steps: ScriptStep[]): void;
  /** Requests whose raw body or headers contain `needle`, e.g. a secret that must not leak. */
  requestsContaining(needle: string): RecordedRequest[];
  /** Throws when a step is left over, an unexpected call happened, or any check failed. */
  assertDone(): void;
  close(): Promise<void>;
}

const RESPONSE_HEADERS = { "openai-version": "2020-10-01", "openai-processing-ms": "7" };

export async function createFakeOpenAI(options: FakeOpenAIOptions = {}): Promise<FakeOpenAI> {
  const steps: ScriptStep[] = [];
  const requests: RecordedRequest[] = [];
  const failures: string[] = [];

  const fail = (res: ServerResponse, status: number, failure: string, body: unknown) => {
    failures.push(failure);
    // The client must not retry into the same failure; the test should fail on the first one.
    sendJson(res, status, body, {
      ...RESPONSE_HEADERS,
      "x-request-id": newRequestId(),
      "x-should-retry": "false",
    });
  };

  const authProblem = (headers: Record<string, string>): string | undefined => {
    const key = /^Bearer (.+)$/.exec(headers.authorization ?? "")?.[1];
    if (!key) {
      return "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).";
    }
    if (options.apiKey !== undefined && key !== options.apiKey) {
      return `Incorrect API key provided: ${key.slice(0, 3)}***${key.slice(-4)}.`;
    }
    return undefined;
  };

  const resolveStep = (step: ScriptStep, request: ChatRequest): StaticStep =>
    typeof step === "function" ? step(request) : step;

  const answer = (res: ServerResponse, step: StaticStep, request: ChatRequest) => {
    const headers = { ...RESPONSE_HEADERS, "x-request-id": newRequestId() };
    if ("httpError" in step) {
      const fallback = errorBody(
        `Scripted error ${step.httpError}`,
        step.httpError >= 500 ? "server_error" : "requests",
      );
      sendJson(res, step.httpError, step.body ?? fallback, { ...headers, ...step.headers });
      return;
    }
    const toolCalls: WireToolCall[] =
      "toolCalls" in step
        ? step.toolCalls.map((call) => ({
            id: call.id ?? newToolCallId(),
            type: "function",
            function: {
              name: call.name,
              arguments: typeof call.arguments === "string" ? call.arguments : JSON.stringify(call.arguments),
            },
          }))
        : [];
    const completion = buildCompletion({
      model: request.body.model,
      content: step.content ?? null,
      toolCalls,
      finishReason:
        toolCalls.length > 0 ? "tool_calls" : "finishReason" in step ? (step.finishReason ?? "stop") : "stop",
      promptText: request.rawBody,
    });
    if (request.body.stream !== true) {
      sendJson(res, 200, completion, headers);
      return;
    }
    res.writeHead(200, {
      ...headers,
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-cache",
    });
    for (const chunk of streamChunks(completion, request.body.stream_options?.include_usage === true)) {
      res.write(`data: ${JSON.stringify(chunk)}\n\n`);
    }
    res.end("data: [DONE]\n\n");
  };

  const handleCompletion = (res: ServerResponse, recorded: RecordedRequest) => {
    const label = `request #${recorded.index}`;
    const auth = authProblem(recorded.headers);
    if (auth)
      return fail(res, 401, `${label}: ${auth}`, errorBody(auth, "invalid_request_error", "invalid_api_key"));
    if (recorded.body === undefined) {
      const message = "We could not parse the JSON body of your request.";
      return fail(res, 400, `${label}: ${message}`, errorBody(message));
    }
    const problem = validateChatRequest(recorded.body);
    if (problem) {
      return fail(
        res,
        400,
        `${label}: ${problem.message}`,
        errorBody(problem.message, "invalid_request_error", null, problem.param),
      );
    }
    const request = recorded as ChatRequest;
    const step = steps.shift();
    if (!step) {
      const message = `fake OpenAI: unexpected chat completion (${label}); the script is empty. Last message: ${JSON.stringify(request.body.messages.at(-1)).slice(0, 300)}`;
      return fail(res, 500, message, errorBody(message, "server_error"));
    }
    let resolved: StaticStep;
    try {
      resolved = resolveStep(step, request);
      resolved.expect?.(request);
    } catch (error) {
      const message = `fake OpenAI: step for ${label} (${describeStep(step)}) rejected the request: ${error instanceof Error ? error.message : String(error)}`;
      return fail(res, 500, message, errorBody(message, "server_error"));
    }
    answer(res, resolved, request);
  };

  const handle = (req: IncomingMessage, res: ServerResponse, raw: Buffer) => {
    const path = new URL(req.url ?? "/", "http://fake").pathname;
    const rawBody = raw.toString("utf8");
    let body: ChatRequestBody | undefined;
    try {
      body = rawBody.length > 0 ? (JSON.parse(rawBody) as ChatRequestBody) : undefined;
    } catch {
      body = undefined;
    }
    const recorded: RecordedRequest = {
      index: requests.length + 1,
      method: req.method ?? "GET",
      path,
      headers: flattenHeaders(req),
      rawBody,
      body,
      at: Date.now(),
    };
    requests.push(recorded);
    if (req.method === "POST" && path === "/v1/chat/completions") return handleCompletion(res, recorded);
    const message = `Unknown request URL: ${req.method} ${path}. The fake OpenAI serves POST /v1/chat/completions only.`;
    fail(
      res,
      404,
      `request #${recorded.index}: ${message}`,
      errorBody(message, "invalid_request_error", "unknown_url"),
    );
  };

  const started = await startServer(handle);

  return {
    url: `http://127.0.0.1:${started.port}/v1`,
    requests,
    get chatRequests() {
      return requests.filter(
        (request): request is ChatRequest =>
          request.path === "/v1/chat/completions" && request.body !== undefined,
      );
    },
    failures,
    get pending() {
      return steps.length;
    },
    script: (...more) => void steps.push(...more),
    requestsContaining: (needle) =>
      requests.filter(
        (request) =>
          request.rawBody.includes(needle) ||
          Object.values(request.headers).some((value) => value.includes(needle)),
      ),
    assertDone() {
      const problems = [...failures];
      if (steps.length > 0) {
        problems.push(
          `${steps.length} scripted step(s) never consumed: ${steps.map(describeStep).join("; ")}`,
        );
      }
      if (problems.length > 0)
        throw new Error(`fake OpenAI script not satisfied:\n- ${problems.join("\n- ")}`);
    },
    close: () => started.close(),
  };
}
