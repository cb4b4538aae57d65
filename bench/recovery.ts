/**
 * `node bench/recovery.ts [--json] [--rounds 3] [--round-timeout-ms 60000]`
 * How long a turn is lost when its worker process dies mid-command: SIGKILL to another worker
 * taking the job, and to the turn's answer. One JSON object (milliseconds), with the pool's
 * lockDuration/stalledInterval beside it as the expectation.
 */
import { parseArgs } from "node:util";
import { measureRecovery } from "./recovery-measure.ts";

const { values } = parseArgs({
  options: {
    json: { type: "boolean", default: false },
    rounds: { type: "string", default: "3" },
    "round-timeout-ms": { type: "string", default: "60000" },
  },
});

function bounded(raw: string | undefined, min: number, max: number, name: string): number {
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(`${name} must be an integer from ${min} to ${max}, got ${raw}`);
  }
  return value;
}

const redisUrl = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
const result = await measureRecovery({
  rounds: bounded(values.rounds, 1, 10, "--rounds"),
  roundTimeoutMs: bounded(values["round-timeout-ms"], 5_000, 300_000, "--round-timeout-ms"),
  redisUrl,
  log: (message) => {
    if (!values.json) console.error(message);
  },
});
const report = {
  bench: "recovery",
  node: process.version,
  redis: redisUrl.replace(/\/\/[^@]*@/, "//"),
  ...result,
};
process.stdout.write(`${JSON.stringify(report, null, values.json ? undefined : 2)}\n`);
