import { type ChildProcess, spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { Redis } from "ioredis";
import pino from "pino";
import { loadConfig } from "../../config/load-config.ts";
import { type RunningApp, startApp } from "../../src/app/start-app.ts";
import { createFakeOpenAI, type FakeOpenAI } from "../fakes/openai/fake-openai.ts";
import { createFakeSlackWebApi, type FakeSlack } from "../fakes/slack/fake-slack-web-api.ts";
import { appMentionEvent, freshTs, postSlackEvent } from "../fakes/slack/signed-requests.ts";

const root = path.resolve(import.meta.dirname, "../..");
export const channel = "C0FAULTS";
const signingSecret = "fault-signing-secret";

export interface WorkerProcess {
  child: ChildProcess;
  exited: Promise<number | null>;
  output(): string;
  /** Its pino JSON log lines on stdout, parsed; a test tells workers apart by them. */
  logs(): Array<Record<string, unknown>>;
  /** Resolves with the first log line of this message, e.g. "threadhands started" (LOG_LEVEL=info). */
  waitForLog(message: string, timeoutMs?: number): Promise<Record<string, unknown>>;
}

export interface FaultRigOptions {
  redisUrl?: string;
  /** Settings of the config's `queue` section: `concurrency` (default 4), fairness caps. */
  queue?: Record<string, number>;
  /** More top-level YAML sections for the shared config file. */
  extraConfig?: string;
}

/**
 * Real worker processes (`node src/main.ts`, role worker) and an in-process ingress, all on one
 * Redis prefix and one sandbox data dir, against fake Slack and a scripted model.
 */
export async function startFaultRig(options: FaultRigOptions = {}) {
  const redisUrl = options.redisUrl ?? process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
  const slack: FakeSlack = await createFakeSlackWebApi();
  const model: FakeOpenAI = await createFakeOpenAI();
  const dir = await mkdtemp(path.join(tmpdir(), "threadhands-faults-"));
  const prefix = `test-${randomUUID().slice(0, 8)}`;
  const configFile = path.join(dir, "threadhands.yaml");
  const queueLines = Object.entries({ concurrency: 4, ...options.queue })
    .map(([key, value]) => `  ${key}: ${value}\n`)
    .join("");
  await writeFile(
    configFile,
    `queue:\n  prefix: ${prefix}\n${queueLines}model:\n  maxRetries: 0\n${options.extraConfig ?? ""}`,
  );
  const env: Record<string, string> = {
    SLACK_BOT_TOKEN: "xoxb-fault-token",
    SLACK_SIGNING_SECRET: signingSecret,
    SLACK_API_URL: slack.url,
    OPENAI_API_KEY: "sk-fault",
    OPENAI_BASE_URL: model.url,
    REDIS_URL: redisUrl,
    THREADHANDS_CONFIG: configFile,
    THREADHANDS_DATA_DIR: path.join(dir, "data"),
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? "warn",
  };
  const ingress: RunningApp = await startApp(loadConfig({ ...env, THREADHANDS_ROLE: "ingress", PORT: "0" }), {
    logger: pino({ level: "silent" }),
  });
  const eventsUrl = `http://127.0.0.1:${ingress.port}/slack/events`;
  const workers: WorkerProcess[] = [];
  const postMention = async (user: string, text: string, ts: string, threadTs?: string) => {
    const event = appMentionEvent({
      user,
      text: `<@${slack.botUserId}> ${text}`,
      channel,
      ts,
      ...(threadTs ? { thread_ts: threadTs } : {}),
    });
    return (await postSlackEvent(eventsUrl, signingSecret, event)).status;
  };

  return {
    slack,
    model,
    prefix,
    redisUrl,
    startWorker(extraEnv: Record<string, string> = {}): WorkerProcess {
      const child = spawn(process.execPath, ["src/main.ts"], {
        cwd: root,
        env: {
          PATH: process.env.PATH ?? "",
          HOME: process.env.HOME ?? dir,
          ...env,
          ...extraEnv,
          THREADHANDS_ROLE: "worker",
          PORT: "0",
        },
        stdio: ["ignore", "pipe", "pipe"],
      });
      let output = "";
      let stdout = "";
      child.stdout?.on("data", (data) => {
        output += data;
        stdout += data;
      });
      child.stderr?.on("data", (data) => {
        output += data;
      });
      const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
      const logs = () =>
        stdout.split("\n").flatMap((line) => {
          try {
            return line.startsWith("{") ? [JSON.parse(line) as Record<string, unknown>] : [];
          } catch {
            return []; // a line still being written
          }
        });
      const waitForLog = async (message: string, timeoutMs = 20_000) => {
        const deadline = Date.now() + timeoutMs;
        for (;;) {
          const line = logs().find((entry) => entry.msg === message);
          if (line) return line;
          // A worker that died (bad config, port clash) never logs it: say so now, not at the timeout.
          if (child.exitCode !== null || child.signalCode !== null || Date.now() > deadline) {
            throw new Error(`no worker log "${message}" (exit ${child.exitCode}):\n${output.slice(-2000)}`);
          }
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
      };
      const worker = { child, exited, output: () => output, logs, waitForLog };
      workers.push(worker);
      return worker;
    },
    async mention(user: string, text: string): Promise<string> {
      const ts = freshTs();
      const status = await postMention(user, text, ts);
      if (status !== 200) throw new Error(`mention got HTTP ${status}`);
      return ts;
    },
    /** A mention inside an existing thread; resolves with the reply's own ts. */
    async reply(user: string, text: string, threadTs: string): Promise<string> {
      const ts = freshTs();
      const status = await postMention(user, text, ts, threadTs);
      if (status !== 200) throw new Error(`reply got HTTP ${status}`);
      return ts;
    },
    /** The HTTP status ingress answered a mention with. */
    mentionStatus: (user: string, text: string) => postMention(user, text, freshTs()),
    async close() {
      // SIGTERM lets a worker unmount its sandboxes; SIGKILL only if it does not exit in time.
      for (const worker of workers) if (worker.child.exitCode === null) worker.child.kill("SIGTERM");
      const killer = setTimeout(() => {
        for (const worker of workers) if (worker.child.exitCode === null) worker.child.kill("SIGKILL");
      }, 15_000);
      await Promise.all(workers.map((worker) => worker.exited));
      clearTimeout(killer);
      await ingress.stop();
      const redis = new Redis(redisUrl);
      const keys = await redis.keys(`${prefix}:*`);
      if (keys.length) await redis.del(...keys);
      redis.disconnect();
      await Promise.all([slack.close(), model.close()]);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export type FaultRig = Awaited<ReturnType<typeof startFaultRig>>;
