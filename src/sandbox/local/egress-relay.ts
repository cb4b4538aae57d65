import { access, constants } from "node:fs/promises";
import path from "node:path";
import { AppError } from "../../errors.ts";
import { sandboxEnv } from "./bwrap-profile.ts";

/** Where the sandbox's proxy socket appears: /run is the sandbox's own tmpfs. */
const SOCKET_IN_SANDBOX = "/run/threadhands-egress.sock";
const PROXY_URL = "http://127.0.0.1:3128";

/**
 * Runs first in every command of an allow-list sandbox, inside its network namespace: socat
 * relays 127.0.0.1:3128 to the proxy's Unix socket, then the command replaces this shell. socat
 * dies with the command (bwrap's pid namespace ends with it). The loop waits until the port
 * accepts, so a command that connects at once is not refused; connect attempts cost microseconds,
 * where polling /proc/net/tcp walks the host's whole TCP table. fd 3 (the per-command environment)
 * stays with the command only.
 */
const RELAY_SCRIPT = [
  `socat TCP-LISTEN:3128,bind=127.0.0.1,reuseaddr,fork UNIX-CONNECT:${SOCKET_IN_SANDBOX} </dev/null >/dev/null 2>&1 3<&- &`,
  "for ((__i = 0; __i < 5000; __i++)); do { exec 9<>/dev/tcp/127.0.0.1/3128; } 2>/dev/null && break; done",
  'exec 9<&-; unset __i; exec "$@"',
].join("\n");

export interface EgressRelay {
  /** bwrap arguments that put the host socket at its place in the sandbox. */
  bwrapArgs: string[];
  wrap(argv: string[]): string[];
  env: Record<string, string>;
}

export function egressRelay(hostSocket: string): EgressRelay {
  return {
    // Read-only: connecting needs no write access to the mount, and the sandbox cannot swap it.
    bwrapArgs: ["--ro-bind", hostSocket, SOCKET_IN_SANDBOX],
    wrap: (argv) => ["/bin/bash", "-c", RELAY_SCRIPT, "egress-relay", ...argv],
    env: {
      HTTP_PROXY: PROXY_URL,
      HTTPS_PROXY: PROXY_URL,
      http_proxy: PROXY_URL,
      https_proxy: PROXY_URL,
      NO_PROXY: "localhost,127.0.0.1",
      no_proxy: "localhost,127.0.0.1",
    },
  };
}

/** The relay runs the host's socat (the sandbox sees /usr); without it allow-list mode cannot work. */
export async function assertRelayAvailable(): Promise<void> {
  for (const dir of sandboxEnv().PATH?.split(":") ?? []) {
    const found = await access(path.join(dir, "socat"), constants.X_OK).then(
      () => true,
      () => false,
    );
    if (found) return;
  }
  throw new AppError(
    "sandbox_egress_unavailable",
    "sandbox.network allow-list needs socat on this host (Debian: apt-get install socat)",
  );
}
