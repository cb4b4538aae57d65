import { loadConfig } from "../config/load-config.ts";
import { startApp } from "./app/start-app.ts";
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
  const app = await startApp(config).catch((error: unknown) => {
    // Startup errors name settings, never their values; anything else is a bug worth its stack.
    process.stderr.write(
      `threadhands could not start: ${error instanceof AppError ? error.message : String(error)}\n`,
    );
    process.exit(1);
  });
  let stopping = false;
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.on(signal, async () => {
      if (stopping) return;
      stopping = true;
      await app.stop();
      process.exit(0);
    });
  }
}

await main();
