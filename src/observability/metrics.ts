import { Counter, collectDefaultMetrics, Histogram, Registry } from "prom-client";
import type { TurnOutcome } from "../agent/agent-turn.ts";
import type { ThreadRef } from "../chat/thread.ts";
import type { RiskLevel } from "../policy/risk.ts";

/** A turn either ends with one of the agent loop's outcomes or throws (worker `failed`). */
export type TurnEndOutcome = TurnOutcome | "error";
export type Platform = ThreadRef["platform"];

/**
 * The one place that knows metric names and label values. Callers use the typed methods, so a
 * typo cannot create a new time series and label cardinality stays bounded (no thread ids).
 */
export interface Metrics {
  /** Its own registry, not prom-client's global one: tests and benches create many apps. */
  readonly registry: Registry;
  turnEnded(platform: Platform, outcome: TurnEndOutcome): void;
  /** One model call of the agent loop. */
  stepTaken(): void;
  commandRun(risk: RiskLevel): void;
  checkpointTaken(seconds: number): void;
  restoreDone(seconds: number): void;
  /**
   * From the job's enqueue time (`job.timestamp`) to a worker starting it; the shape of the worker
   * pool's `onJobStart`, so it can be passed as is. `queue` is one of queue/job-schemas.ts' names.
   */
  jobWaited(queue: string, waitedMs: number): void;
  tokensUsed(usage: { inputTokens: number; outputTokens: number }): void;
  ingressAcked(seconds: number): void;
}

export interface MetricsOptions {
  /** Default process metrics (CPU, memory, event loop lag, GC); on unless a test turns them off. */
  processMetrics?: boolean;
  /** Added to every series, e.g. `{ role: "worker" }` when ingress and workers scrape apart. */
  defaultLabels?: Record<string, string>;
}

// Buckets sized for what each one measures: acks must stay far below Slack's 3 s deadline,
// checkpoints of big trees take seconds, queue waits stretch to minutes under backlog.
const ackBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 3, 5];
const sandboxBuckets = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];
const queueBuckets = [0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300];

export function createMetrics(options: MetricsOptions = {}): Metrics {
  const registry = new Registry();
  if (options.defaultLabels) registry.setDefaultLabels(options.defaultLabels);
  if (options.processMetrics ?? true) collectDefaultMetrics({ register: registry });
  const registers = [registry];

  const turns = new Counter({
    name: "threadhands_turns_total",
    help: "Agent turns finished, by chat platform and outcome.",
    labelNames: ["platform", "outcome"] as const,
    registers,
  });
  const steps = new Counter({
    name: "threadhands_steps_total",
    help: "Agent loop steps (model calls).",
    registers,
  });
  const commands = new Counter({
    name: "threadhands_commands_total",
    help: "Shell commands the agent ran, by risk level of the policy.",
    labelNames: ["risk"] as const,
    registers,
  });
  const checkpoint = new Histogram({
    name: "threadhands_checkpoint_seconds",
    help: "Time to checkpoint a sandbox before a risky command.",
    buckets: sandboxBuckets,
    registers,
  });
  const restore = new Histogram({
    name: "threadhands_restore_seconds",
    help: "Time to restore a sandbox to a checkpoint.",
    buckets: sandboxBuckets,
    registers,
  });
  const queueWait = new Histogram({
    name: "threadhands_queue_wait_seconds",
    help: "Time from enqueue to a worker starting the job, by queue.",
    labelNames: ["queue"] as const,
    buckets: queueBuckets,
    registers,
  });
  const tokens = new Counter({
    name: "threadhands_model_tokens_total",
    help: "Model tokens, by direction (input = prompt, output = completion).",
    labelNames: ["direction"] as const,
    registers,
  });
  const ack = new Histogram({
    name: "threadhands_ingress_ack_seconds",
    help: "Time from an inbound platform request to its HTTP answer.",
    buckets: ackBuckets,
    registers,
  });

  // Series that exist before the first event, so dashboards and rate() see zeros, not gaps.
  for (const direction of ["input", "output"] as const) tokens.labels({ direction }).inc(0);
  for (const risk of ["read", "write", "destructive"] as const) commands.labels({ risk }).inc(0);

  return {
    registry,
    turnEnded: (platform, outcome) => turns.labels({ platform, outcome }).inc(),
    stepTaken: () => steps.inc(),
    commandRun: (risk) => commands.labels({ risk }).inc(),
    checkpointTaken: (seconds) => checkpoint.observe(seconds),
    restoreDone: (seconds) => restore.observe(seconds),
    jobWaited(queue, waitedMs) {
      // Clocks of the enqueuing and the working machine differ a little; never observe < 0.
      queueWait.labels({ queue }).observe(Math.max(0, waitedMs) / 1000);
    },
    tokensUsed(usage) {
      if (usage.inputTokens > 0) tokens.labels({ direction: "input" }).inc(usage.inputTokens);
      if (usage.outputTokens > 0) tokens.labels({ direction: "output" }).inc(usage.outputTokens);
    },
    ingressAcked: (seconds) => ack.observe(seconds),
  };
}
