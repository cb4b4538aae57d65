import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import type { Redis } from "ioredis";
import type { Logger } from "pino";
import type { AppConfig } from "../../config/schema.ts";
import { createBullSessionTimers } from "../../queue/bullmq-session-timers.ts";
import { createRedisHostAffinity } from "../../queue/redis-host-affinity.ts";
import type { Keyspace } from "../../queue/redis-keys.ts";
import { createRedisThreadLease } from "../../queue/redis-thread-lease.ts";
import { createRedisTurnSlots } from "../../queue/redis-turn-slots.ts";
import { startWorkerPool } from "../../queue/worker-pool.ts";
import { defaultSystemPrompt } from "../agent/system-prompt.ts";
import type { ThreadPoster } from "../chat/thread-poster.ts";
import type { CredentialServices } from "../credentials/credential-services.ts";
import { createOpenAIModel } from "../model/openai.ts";
import { instrumentModel, instrumentSandboxes } from "../observability/instrumented-ports.ts";
import type { Metrics } from "../observability/metrics.ts";
import type { SandboxProvider } from "../sandbox/sandbox.ts";
import { sandboxKeyFor } from "../session/sandbox-lifecycle.ts";
import { createSessionService } from "../session/session-service.ts";
import type { SessionInbox, SessionStore } from "../session/session-store.ts";
import { createToolRegistry, defaultTools } from "../tools/tool-registry.ts";
import { publicBaseUrl } from "./credential-setup.ts";
import { createSandboxProvider } from "./sandbox-provider.ts";

export interface WorkerRoleContext {
  config: AppConfig;
  logger: Logger;
  metrics: Metrics;
  redis: Redis;
  keys: Keyspace;
  store: SessionStore;
  inbox: SessionInbox;
  poster: ThreadPoster;
  credentials: CredentialServices | undefined;
  stops: Array<() => Promise<void> | void>;
}

const sweepIntervalMs = 10 * 60_000;

/** The brain: sandboxes, the model, the agent loop, and the BullMQ workers that run turns. */
export async function startWorkerRole(context: WorkerRoleContext): Promise<{ sandboxes: SandboxProvider }> {
  const { config, logger, metrics, credentials } = context;
  const sandboxes = instrumentSandboxes(await createSandboxProvider(config, logger), metrics);
  context.stops.push(() => sandboxes.close());
  logger.info({ sandbox: sandboxes.description }, "sandbox backend ready");

  const lifecycle = {
    lifecycle: config.sandbox.lifecycle,
    scope: config.sandbox.scope,
    idleMs: config.sandbox.idleMinutes * 60_000,
  };
  const timers = createBullSessionTimers({ connection: context.redis, prefix: config.queue.prefix });
  context.stops.push(() => timers.close());
  const sessions = createSessionService({
    store: context.store,
    inbox: context.inbox,
    lease: createRedisThreadLease(context.redis, context.keys),
    sandboxes,
    poster: context.poster,
    instanceId: `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`,
    privilegedUsers: config.access.restoreUsers,
    lifecycle,
    timers,
    fairness: {
      slots: createRedisTurnSlots(context.redis, config.queue.prefix),
      perWorkspace: config.queue.maxTurnsPerWorkspace,
      perUser: config.queue.maxTurnsPerUser,
    },
    ...(credentials
      ? { accounts: { linking: credentials.linking, publicBaseUrl: publicBaseUrl(config) } }
      : {}),
    agent: {
      model: instrumentModel(
        createOpenAIModel({
          apiKey: config.OPENAI_API_KEY,
          baseURL: config.OPENAI_BASE_URL,
          model: config.OPENAI_MODEL,
          maxRetries: config.model.maxRetries,
          timeoutMs: config.model.timeoutSeconds * 1000,
        }),
        metrics,
      ),
      tools: createToolRegistry(defaultTools(credentials?.broker.providerNames ?? [])),
      systemPrompt: config.agent.systemPrompt ?? defaultSystemPrompt,
      maxSteps: config.agent.maxStepsPerTurn,
      checkpointAt: config.policy.checkpointAt,
      approveAt: config.policy.approveCredentialedAt,
      sessionBudget: config.agent.sessionBudget,
      ...(credentials ? { broker: credentials.broker } : {}),
      onAssessed: (assessment) => metrics.commandRun(assessment.level),
      limits: {
        defaultTimeoutMs: config.agent.commandTimeoutSeconds * 1000,
        maxTimeoutMs: config.agent.maxCommandTimeoutSeconds * 1000,
        outputLimitBytes: config.agent.outputLimitBytes,
      },
    },
    onTurnEnd: (thread, outcome) => metrics.turnEnded(thread.platform, outcome),
  });
  const pool = startWorkerPool({
    connection: context.redis,
    prefix: config.queue.prefix,
    concurrency: config.queue.concurrency,
    sessions,
    logger,
    onJobStart: metrics.jobWaited,
    // A local sandbox lives on this machine: its thread's jobs must come here. Sprites need no routing.
    ...(config.SANDBOX_PROVIDER === "local"
      ? {
          routing: {
            affinity: createRedisHostAffinity(context.redis, {
              prefix: config.queue.prefix,
              hostId: config.THREADHANDS_HOST_ID ?? hostname(),
            }),
            sandboxKeyOf: (thread) => sandboxKeyFor(thread, lifecycle),
            onTakeOver: async (thread, previousHost) => {
              await context.poster.postNotice(
                thread,
                `The worker host \`${previousHost}\` that held this thread's sandbox is gone; continuing in a fresh sandbox here.`,
              );
            },
          },
        }
      : {}),
  });
  context.stops.push(() => pool.close());

  // Sandboxes a crash left behind (their session is gone): swept at start and then periodically.
  const sweep = () =>
    sessions
      .sweep()
      .then((swept) => swept.length > 0 && logger.info({ swept }, "swept orphaned sandboxes"))
      .catch((error: unknown) => logger.warn({ err: error }, "sandbox sweep failed"));
  void sweep();
  const sweeper = setInterval(sweep, sweepIntervalMs);
  sweeper.unref();
  context.stops.push(() => clearInterval(sweeper));
  return { sandboxes };
}
