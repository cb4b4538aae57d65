import { describe, expect, it } from "vitest";
import type { LanguageModel } from "../../src/model/language-model.ts";
import {
  instrumentModel,
  instrumentSandboxes,
  instrumentTools,
} from "../../src/observability/instrumented-ports.ts";
import { createMetrics } from "../../src/observability/metrics.ts";
import type { RiskAssessment } from "../../src/policy/risk.ts";
import type { Sandbox, SandboxProvider } from "../../src/sandbox/sandbox.ts";
import type { ToolContext } from "../../src/tools/tool.ts";
import { createToolRegistry } from "../../src/tools/tool-registry.ts";

async function seriesValue(
  metrics: ReturnType<typeof createMetrics>,
  name: string,
  labels: Record<string, string> = {},
) {
  const metric = (await metrics.registry.getMetricsAsJSON()).find((candidate) => candidate.name === name);
  const values = (metric?.values ?? []) as Array<{
    value: number;
    labels: Record<string, unknown>;
    metricName?: string;
  }>;
  const match = values.find(
    (value) =>
      (value.metricName === undefined || value.metricName === name || value.metricName === `${name}_count`) &&
      Object.entries(labels).every(([key, wanted]) => value.labels[key] === wanted),
  );
  return match?.value;
}

describe("metrics", () => {
  it("keeps each app's series in its own registry, so many can exist in one process", async () => {
    const first = createMetrics({ processMetrics: false });
    const second = createMetrics({ processMetrics: false });
    first.turnEnded("slack", "answered");
    expect(
      await seriesValue(first, "threadhands_turns_total", { platform: "slack", outcome: "answered" }),
    ).toBe(1);
    expect(
      await seriesValue(second, "threadhands_turns_total", { platform: "slack", outcome: "answered" }),
    ).toBeUndefined();
  });

  it("exposes every threadhands series and the default process metrics in Prometheus text", async () => {
    const metrics = createMetrics();
    metrics.turnEnded("discord", "step_limit");
    metrics.stepTaken();
    metrics.commandRun("destructive");
    metrics.checkpointTaken(0.2);
    metrics.restoreDone(0.05);
    metrics.jobWaited("turns", 250);
    metrics.tokensUsed({ inputTokens: 120, outputTokens: 30 });
    metrics.ingressAcked(0.004);
    const text = await metrics.registry.metrics();
    expect(text).toContain('threadhands_turns_total{platform="discord",outcome="step_limit"} 1');
    expect(text).toContain("threadhands_steps_total 1");
    expect(text).toContain('threadhands_commands_total{risk="destructive"} 1');
    expect(text).toContain('threadhands_commands_total{risk="read"} 0');
    expect(text).toContain("threadhands_checkpoint_seconds_count 1");
    expect(text).toContain("threadhands_restore_seconds_sum 0.05");
    expect(text).toContain('threadhands_queue_wait_seconds_sum{queue="turns"} 0.25');
    expect(text).toContain('threadhands_model_tokens_total{direction="input"} 120');
    expect(text).toContain('threadhands_model_tokens_total{direction="output"} 30');
    expect(text).toContain('threadhands_ingress_ack_seconds_bucket{le="0.005"} 1');
    expect(text).toContain("process_cpu_seconds_total");
    expect(text).toContain("nodejs_eventloop_lag_seconds");
  });

  it("never observes a negative queue wait when the enqueuing machine's clock runs ahead", async () => {
    const metrics = createMetrics({ processMetrics: false });
    metrics.jobWaited("actions", -1_000);
    const text = await metrics.registry.metrics();
    expect(text).toContain('threadhands_queue_wait_seconds_sum{queue="actions"} 0');
  });
});

describe("instrumented ports", () => {
  it("counts a step and the tokens of every model call", async () => {
    const metrics = createMetrics({ processMetrics: false });
    const model: LanguageModel = {
      complete: async () => ({ content: "ok", toolCalls: [], usage: { inputTokens: 10, outputTokens: 4 } }),
    };
    const instrumented = instrumentModel(model, metrics);
    await instrumented.complete({ messages: [], tools: [] });
    await instrumented.complete({ messages: [], tools: [] });
    expect(await seriesValue(metrics, "threadhands_steps_total")).toBe(2);
    expect(await seriesValue(metrics, "threadhands_model_tokens_total", { direction: "input" })).toBe(20);
    expect(await seriesValue(metrics, "threadhands_model_tokens_total", { direction: "output" })).toBe(8);
  });

  it("counts commands by the risk the guard decided", async () => {
    const metrics = createMetrics({ processMetrics: false });
    const tools = instrumentTools(createToolRegistry(), metrics);
    const runner = {
      exec: async () => ({
        exitCode: 0,
        signal: null,
        stdout: "done\n",
        stderr: "",
        timedOut: false,
        truncated: false,
        durationMs: 1,
      }),
      readFile: async () => new Uint8Array(),
      writeFile: async () => {},
    };
    const levels: RiskAssessment["level"][] = ["destructive", "read"];
    const context: Omit<ToolContext, "callId"> = {
      runner: async () => runner,
      assess: async () => ({ level: levels.shift() ?? "read", reasons: [] }),
      protect: async () => {},
      report: async () => {},
      limits: { defaultTimeoutMs: 1000, maxTimeoutMs: 2000, outputLimitBytes: 1000 },
      signal: new AbortController().signal,
    };
    const call = (command: string) => ({
      id: "1",
      name: "run_command",
      arguments: JSON.stringify({ command }),
    });
    expect((await tools.execute(call("rm -rf build"), context)).ok).toBe(true);
    expect((await tools.execute(call("ls"), context)).ok).toBe(true);
    expect(await seriesValue(metrics, "threadhands_commands_total", { risk: "destructive" })).toBe(1);
    expect(await seriesValue(metrics, "threadhands_commands_total", { risk: "read" })).toBe(1);
    expect(tools.specs.map((spec) => spec.name)).toContain("run_command");
  });

  it("times checkpoints and restores and hands out one wrapper per sandbox", async () => {
    const metrics = createMetrics({ processMetrics: false });
    const sandbox = {
      id: "box-1",
      checkpoint: async (label: string) => {
        await new Promise((resolve) => setTimeout(resolve, 20));
        return { id: "cp-1", label, createdAt: new Date().toISOString() };
      },
      restore: async () => {},
    } as unknown as Sandbox;
    const provider: SandboxProvider = {
      description: "in-memory",
      open: async () => sandbox,
      find: async (key) => (key === "known" ? sandbox : undefined),
      describe: async (key) => ({ name: key, state: "warm" }),
      nameFor: (key) => key,
      ownedNames: async () => ["known"],
      destroyByName: async () => true,
      close: async () => {},
    };
    const instrumented = instrumentSandboxes(provider, metrics);
    const opened = await instrumented.open("known");
    expect(await instrumented.find("known")).toBe(opened);
    expect(await instrumented.find("unknown")).toBeUndefined();
    expect(opened.id).toBe("box-1");
    await opened.checkpoint("before: rm");
    await opened.restore("cp-1");
    const text = await metrics.registry.metrics();
    expect(text).toContain("threadhands_checkpoint_seconds_count 1");
    expect(text).toContain("threadhands_restore_seconds_count 1");
    const sum = Number(/threadhands_checkpoint_seconds_sum (\S+)/.exec(text)?.[1]);
    expect(sum).toBeGreaterThanOrEqual(0.015);
  });
});
