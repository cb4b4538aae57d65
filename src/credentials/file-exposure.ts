import path from "node:path";
import { shellQuote } from "../sandbox/shell-quote.ts";
import type { ExposedCredential } from "./provider-config.ts";

type CredentialFile = NonNullable<ExposedCredential["files"]>[number];

/**
 * Some CLIs read a credential from a file (a kubeconfig, a service-account key). The file must
 * exist only for the one command: the content travels like an env secret (this process tree
 * only), and a wrapper writes it into a private directory on a tmpfs (/dev/shm, never the
 * sandbox's own tree, so no checkpoint or scan finds it), points the configured variable at it,
 * and removes it when the command ends.
 */
export function withCredentialFiles(
  command: string,
  files: CredentialFile[],
  pathVariables: Record<string, string>,
): { command: string; env: Record<string, string> } {
  const env: Record<string, string> = {};
  const lines = [
    "__th_dir=$(mktemp -d /dev/shm/threadhands.XXXXXXXX) || exit 97",
    "trap 'rm -rf \"$__th_dir\"' EXIT",
  ];
  files.forEach((file, index) => {
    const variable = `THREADHANDS_CREDENTIAL_FILE_${index}`;
    const target = `"$__th_dir"/${shellQuote(path.posix.basename(file.path))}`;
    env[variable] = file.content;
    lines.push(
      `(umask 077; printf %s "$${variable}" > ${target}) && chmod ${file.mode.toString(8)} ${target}`,
    );
    lines.push(`unset ${variable}`);
    for (const [name, value] of Object.entries(pathVariables)) {
      if (value === file.path) lines.push(`export ${name}=${target}`);
    }
  });
  // A subshell, not exec: the trap must still run when the command exits.
  lines.push(`(${command})`);
  return { command: lines.join("\n"), env };
}
