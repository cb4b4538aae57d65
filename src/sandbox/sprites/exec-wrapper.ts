/**
 * What every exec runs on the Sprite: a fixed bash script, the same for every command, so the
 * exec URL holds nothing but this constant. The command, its variables and a backstop timeout
 * come over stdin, NUL-separated, ahead of the command's own input:
 *
 *   <timeout seconds>\0 KEY=value\0 ... \0 <command>\0 <stdin of the command...>
 *
 * Why: the API's `env` parameter travels in the URL (logged by every proxy on the way) and
 * replaces the whole environment; a variable exported here reaches this one command only.
 * The command leads its own process group (`set -m`), so a TERM to the wrapper (our timeout,
 * restore or abort) takes the whole tree, orphans included, not just the shell.
 */
export const EXEC_WRAPPER = [
  "exec 3>&2 2>/dev/null",
  "IFS= read -r -d '' __th_timeout || exit 90",
  'while IFS= read -r -d \'\' __th_kv && [ -n "$__th_kv" ]; do export "$__th_kv"; done',
  "IFS= read -r -d '' __th_cmd || exit 90",
  "unset __th_kv",
  "set -m",
  '/bin/bash -c "$__th_cmd" <&0 2>&3 3>&- &',
  "__th_pid=$!",
  "trap 'kill -KILL -- -$__th_pid; exit 137' TERM INT HUP",
  'if [ "$__th_timeout" -gt 0 ]; then',
  '  ( sleep "$__th_timeout"; kill -KILL -- -$__th_pid ) </dev/null >/dev/null 2>&1 3>&- &',
  "  __th_watch=$!",
  "fi",
  'wait "$__th_pid"; __th_status=$?',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: bash parameter expansion, not a template.
  '[ -n "${__th_watch:-}" ] && kill -KILL -- -"$__th_watch"',
  "exit $__th_status",
].join("\n");

export const WRAPPER_ARGV0 = "threadhands-exec";

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** The stdin the wrapper expects. Throws for a name `export` would misread or a NUL in a value. */
export function encodeWrapperInput(
  command: string,
  env: Record<string, string>,
  backstopSeconds: number,
  stdin: string | undefined,
): Buffer {
  if (command.includes("\0")) throw new TypeError("a command cannot contain NUL");
  const records = [String(Math.max(0, Math.ceil(backstopSeconds)))];
  for (const [name, value] of Object.entries(env)) {
    if (!ENV_NAME.test(name)) throw new TypeError(`invalid environment name: ${name}`);
    if (value.includes("\0")) throw new TypeError(`environment value of ${name} contains NUL`);
    records.push(`${name}=${value}`);
  }
  records.push("", command);
  return Buffer.concat([Buffer.from(`${records.join("\0")}\0`, "utf8"), Buffer.from(stdin ?? "", "utf8")]);
}
