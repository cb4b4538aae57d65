import { readFileSync } from "node:fs";
import { parse as parseYaml } from "yaml";
import type { z } from "zod";
import { AppError } from "../src/errors.ts";
import { type AppConfig, environmentHints, environmentSchema, fileConfigSchema } from "./schema.ts";

/**
 * Reads settings from the environment and the optional YAML file. Every problem is reported at
 * once, by the variable's or key's name and never by its value (a value may be a secret).
 */
export function loadConfig(
  env: Record<string, string | undefined>,
  file = env.THREADHANDS_CONFIG,
): AppConfig {
  const problems: string[] = [];

  const fromEnv = environmentSchema.safeParse(withoutEmptyValues(env));
  if (!fromEnv.success) problems.push(...describeIssues(fromEnv.error.issues, "env", environmentHints));

  let fileData: unknown = {};
  if (file) {
    try {
      fileData = parseYaml(readFileSync(file, "utf8")) ?? {};
    } catch (error) {
      problems.push(`${file}: cannot be read as YAML (${(error as Error).message.split("\n")[0]})`);
    }
  }
  const fromFile = fileConfigSchema.safeParse(fileData);
  if (!fromFile.success) problems.push(...describeIssues(fromFile.error.issues, file ?? "config", {}));

  if (problems.length > 0 || !fromEnv.success || !fromFile.success) {
    throw new AppError(
      "config_invalid",
      `Invalid configuration:\n${problems.map((p) => `  - ${p}`).join("\n")}`,
    );
  }
  return { ...fromEnv.data, ...fromFile.data };
}

function withoutEmptyValues(env: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(env).filter(
      (entry): entry is [string, string] => entry[1] !== undefined && entry[1] !== "",
    ),
  );
}

function describeIssues(issues: z.core.$ZodIssue[], source: string, hints: Record<string, string>): string[] {
  return issues.map((issue) => {
    const name = issue.path.join(".") || "(root)";
    const missing = issue.code === "invalid_type" && issue.input === undefined;
    // Zod's own messages for unknown keys and enums name keys and options, never the input value.
    const what = missing ? "is required" : issue.message;
    const hint = hints[name] ? ` (${hints[name]})` : "";
    return source === "env" ? `${name} ${what}${hint}` : `${source}: ${name}: ${what}`;
  });
}
