import {
  type Arg,
  type CommandRule,
  destructive,
  type Effect,
  optionValue,
  positionals,
  read,
  write,
} from "./rule-helpers.ts";
import { classifySql } from "./sql-risk.ts";

/** Every value of a repeatable option: psql takes several `-c`. */
function allOptionValues(args: Arg[], short: string, long: string): Arg[] {
  const found: Arg[] = [];
  for (const [index, arg] of args.entries()) {
    if (arg.value === `-${short}` || arg.value === `--${long}`) {
      const value = args[index + 1];
      if (value !== undefined) found.push(value);
    } else if (arg.value.startsWith(`--${long}=`))
      found.push({ ...arg, value: arg.value.slice(long.length + 3) });
    else if (arg.value.startsWith(`-${short}`) && !arg.value.startsWith("--")) {
      found.push({ ...arg, value: arg.value.slice(short.length + 1) });
    }
  }
  return found;
}

/**
 * SQL the classifier can see (inline, a here-document, `echo … |`) is judged statement by
 * statement; SQL it cannot see (a file, an interactive session) is a write, like any
 * program whose effect is unknown.
 */
function sqlClient(program: string, inline: (args: Arg[]) => Arg[], file: string | undefined): CommandRule {
  return ({ args, stdin }) => {
    const statements = inline(args);
    if (statements.some((statement) => !statement.literal)) {
      return [write(`${program} runs SQL that is only known at run time`)];
    }
    if (statements.length > 0) return statements.flatMap((statement) => classifySqlOrRead(statement.value));
    if (file !== undefined && optionValue(args, file, "file") !== undefined) {
      return [write(`${program} runs SQL from a file the classifier cannot see`)];
    }
    if (stdin !== undefined) return classifySqlOrRead(stdin);
    return [write(`${program} runs SQL from standard input or a session the classifier cannot see`)];
  };
}

function classifySqlOrRead(sql: string): Effect[] {
  const effects = classifySql(sql);
  return effects.length > 0 ? effects : [read("no SQL statement to run")];
}

const psql = sqlClient("psql", (args) => allOptionValues(args, "c", "command"), "f");
const mysql = sqlClient("mysql", (args) => allOptionValues(args, "e", "execute"), undefined);

/** sqlite3 takes the database file first and SQL as the operands after it. */
const sqlite3 = sqlClient(
  "sqlite3",
  (args) => [
    ...allOptionValues(args, "cmd", "cmd"),
    ...positionals(args, new Set(["-cmd", "-separator", "-init", "-newline", "-nullvalue"])).slice(1),
  ],
  undefined,
);

const redisReadCommands = new Set(
  (
    "GET MGET KEYS SCAN INFO PING TTL PTTL TYPE EXISTS STRLEN HGET HMGET HGETALL HKEYS HVALS HLEN HSCAN " +
    "LRANGE LLEN LINDEX SMEMBERS SCARD SISMEMBER SSCAN ZRANGE ZRANGEBYSCORE ZCARD ZSCORE ZSCAN DBSIZE " +
    "MONITOR TIME LASTSAVE ROLE SLOWLOG XRANGE XLEN XINFO MEMORY OBJECT CLIENT CLUSTER CONFIG COMMAND"
  ).split(" "),
);

const redisValueOptions = new Set([
  "-h",
  "-p",
  "-a",
  "-n",
  "-u",
  "-s",
  "--user",
  "--pass",
  "-r",
  "-i",
  "--tls-cert",
]);

const redisCli: CommandRule = ({ args, stdin }) => {
  const words = positionals(args, redisValueOptions).map((arg) => arg.value);
  const lines = words.length > 0 ? [words.join(" ")] : (stdin?.split("\n") ?? []);
  const effects = lines.filter((line) => line.trim() !== "").map(classifyRedisCommand);
  return effects.length > 0 ? effects : [write("redis-cli opens a session the classifier cannot see")];
};

function classifyRedisCommand(line: string): Effect {
  const [name = "", sub = ""] = line.trim().toUpperCase().split(/\s+/);
  if (name === "FLUSHALL" || name === "FLUSHDB") return destructive(`redis-cli ${name} deletes every key`);
  if (name === "SHUTDOWN") return destructive("redis-cli SHUTDOWN stops the server");
  const readSub = !["CONFIG", "CLIENT", "CLUSTER"].includes(name) || /^(GET|LIST|INFO|NODES|ID)$/.test(sub);
  if (redisReadCommands.has(name) && readSub) return read(`redis-cli ${name} only reads`);
  return write(`redis-cli ${name} changes data`);
}

export const databaseRules: Record<string, CommandRule> = {
  psql,
  mysql,
  mariadb: mysql,
  sqlite3,
  "redis-cli": redisCli,
};
