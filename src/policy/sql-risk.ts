import { destructive, type Effect, read, write } from "./rule-helpers.ts";

const readVerbs = new Set(["SELECT", "SHOW", "EXPLAIN", "DESCRIBE", "DESC", "VALUES", "TABLE", "PRAGMA"]);
const sessionVerbs = new Set([
  "BEGIN",
  "START",
  "COMMIT",
  "END",
  "ROLLBACK",
  "SET",
  "USE",
  "SAVEPOINT",
  "RESET",
]);
const changeVerbs = ["DELETE", "UPDATE", "INSERT", "MERGE"];

/**
 * SQL reaches a database the sandbox checkpoint cannot restore, so statements that lose
 * data wholesale (DROP, TRUNCATE, DELETE or UPDATE without WHERE) are destructive; other
 * changes are writes. A statement the table does not know is a write, as for programs.
 */
export function classifySql(sql: string): Effect[] {
  const effects: Effect[] = [];
  for (const statement of splitStatements(sql)) {
    const effect = classifyStatement(statement);
    if (effect) effects.push(effect);
  }
  return effects;
}

function classifyStatement(statement: string): Effect | undefined {
  const trimmed = statement.trim();
  if (trimmed === "") return undefined;
  if (trimmed.startsWith("\\") || trimmed.startsWith(".")) {
    // Client meta-commands (psql \d, sqlite3 .tables) only read, except those that load
    // files or run a shell, which do more than the classifier can see.
    return /^[\\.](i|ir|include|copy|import|restore|read|shell|system|!)\b/.test(trimmed)
      ? write(`${trimmed.split(/\s/)[0]} runs SQL or a shell the classifier cannot see`)
      : read("client meta-command only reads");
  }
  const words = trimmed.toUpperCase().match(/[A-Z_]+/g) ?? [];
  const verb = words[0] ?? "";
  if (verb === "WITH") {
    const change = words.findIndex((word) => changeVerbs.includes(word));
    return change < 0 ? read("SQL query only reads") : classifyVerb(words.slice(change));
  }
  return classifyVerb(words);
}

function classifyVerb(words: string[]): Effect {
  const [verb = "", object = ""] = words;
  const hasWhere = words.includes("WHERE");
  if (verb === "DROP") return destructive(`SQL DROP ${object} deletes it with its data`);
  if (verb === "TRUNCATE") return destructive("SQL TRUNCATE empties a table");
  if (verb === "DELETE") {
    return hasWhere
      ? write("SQL DELETE … WHERE removes rows")
      : destructive("SQL DELETE without WHERE empties a table");
  }
  if (verb === "UPDATE") {
    return hasWhere
      ? write("SQL UPDATE … WHERE changes rows")
      : destructive("SQL UPDATE without WHERE rewrites every row");
  }
  if (verb === "ALTER" && words.includes("DROP"))
    return destructive("SQL ALTER … DROP removes a column or constraint");
  if (readVerbs.has(verb)) return read("SQL query only reads");
  if (sessionVerbs.has(verb)) return read(`SQL ${verb} only changes the session`);
  return write(`SQL ${verb || "statement"} changes the database`);
}

/** Splits on `;` outside quotes and strips comments, which could otherwise hide a verb. */
function splitStatements(sql: string): string[] {
  const statements: string[] = [];
  let current = "";
  let index = 0;
  while (index < sql.length) {
    const char = sql[index] ?? "";
    const pair = sql.slice(index, index + 2);
    if (pair === "--") {
      const end = sql.indexOf("\n", index);
      index = end < 0 ? sql.length : end;
    } else if (pair === "/*") {
      const end = sql.indexOf("*/", index + 2);
      index = end < 0 ? sql.length : end + 2;
      current += " ";
    } else if (char === "'" || char === '"' || char === "`") {
      const end = sql.indexOf(char, index + 1);
      const stop = end < 0 ? sql.length : end + 1;
      // Quoted text is kept out of the keyword scan: 'DROP' in a string drops nothing.
      current += " ";
      index = stop;
    } else if (char === ";" || (char === "\n" && /^[\\.]/.test(current.trimStart()))) {
      statements.push(current);
      current = "";
      index += 1;
    } else {
      current += char;
      index += 1;
    }
  }
  statements.push(current);
  return statements;
}
