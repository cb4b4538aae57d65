import { AppError } from "../../errors.ts";

/** Without a port an entry allows the two a CLI needs for the web: plain HTTP and HTTPS. */
const DEFAULT_PORTS = [80, 443];
const LABEL = "[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?";
const HOST_PATTERN = new RegExp(`^(\\*\\.)?(${LABEL}(?:\\.${LABEL})*)(?::(\\d{1,5}))?$`);

interface AllowEntry {
  /** `*.example.com` matches names below example.com, not example.com itself. */
  wildcard: boolean;
  host: string;
  ports: number[];
}

export interface EgressAllowList {
  allows(host: string, port: number): boolean;
}

/** Host names as the proxy compares them: lower case, no trailing dot. */
export function normalizeHost(host: string): string {
  return host.trim().toLowerCase().replace(/\.$/, "");
}

/**
 * `api.github.com`, `*.githubusercontent.com`, `registry.npmjs.org:443`, `example.com:8080`.
 * A bad entry stops startup (it is configuration, not a secret, so the message names it).
 */
export function parseAllowList(entries: readonly string[]): EgressAllowList {
  const parsed: AllowEntry[] = entries.map((entry) => {
    const match = HOST_PATTERN.exec(normalizeHost(entry));
    const port = match?.[3] === undefined ? undefined : Number(match[3]);
    if (!match?.[2] || (port !== undefined && (port < 1 || port > 65_535))) {
      throw new AppError(
        "sandbox_network_allow_invalid",
        `sandbox.network.allow: "${entry}" is not a host name, "*.suffix" or either with ":port"`,
      );
    }
    return { wildcard: match[1] !== undefined, host: match[2], ports: port ? [port] : DEFAULT_PORTS };
  });
  return {
    allows(host, port) {
      const name = normalizeHost(host);
      return parsed.some(
        (entry) =>
          entry.ports.includes(port) &&
          (entry.wildcard ? name.endsWith(`.${entry.host}`) : name === entry.host),
      );
    },
  };
}
