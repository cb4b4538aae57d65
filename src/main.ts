import pino from "pino";
import { loadConfig } from "../config/load-config.ts";
import { startApp } from "./app.ts";
import { AppError } from "./errors.ts";

/** Entry point: `npm start`. Settings from the environment and THREADHANDS_CONFIG. */
async function main(): Promise<void> {
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig(process.env);
  } catch (error) {
    if (error instanceof AppError) {
      process.stderr.write(`${error.message}\nSee README.md → Configuration.\n`);
      process.exit(2);
    }
    throw error;
  }
  const logger = pino({ level: config.LOG_LEVEL });
  const app = await startApp(config, logger).catch((error: unknown) => {
    logger.fatal({ err: error }, error instanceof AppError ? error.message : "startup failed");
    process.exit(1);
  });
  let stopping = false;
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.on(signal, async () => {
      if (stopping) return;
      stopping = true;
      logger.info({ signal }, "shutting down");
      await app.stop();
      process.exit(0);
    });
  }
}

await main();
