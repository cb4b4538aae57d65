import { type ChildProcess, execFile, spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { connect, createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LocalSandboxOptions } from "../../src/sandbox/local/local-options.ts";
import { createLocalSandboxProvider } from "../../src/sandbox/local/local-sandbox-provider.ts";
import type { Sandbox, SandboxProvider } from "../../src/sandbox/sandbox.ts";

const isRoot = process.getuid?.() === 0;
const run = promisify(execFile);
const tag = Math.random().toString(36).slice(2, 8);
const netns = `th-egress-${tag}`;
// A documentation range (TEST-NET-3): public as far as the proxy's policy knows, routed nowhere
// but to a namespace of our own, so an "allowed host" is real without touching the internet.
const slot = 4 * Math.floor(Math.random() * 63);
const hostSide = `203.0.113.${slot + 1}`;
const target = `203.0.113.${slot + 2}`;

/** An HTTP server in its own network namespace, standing in for a host on the internet. */
const targetScript = `
  const http = require("node:http");
  let ready = 0;
  for (const port of [80, 443, 8080]) {
    http.createServer((req, res) => res.end("hello from " + port + " host=" + req.headers.host + " path=" + req.url + "\\n"))
      .listen(port, ${JSON.stringify(target)}, () => ++ready === 3 && console.log("ready"));
  }
`;

const names: Record<string, string[]> = {
  "allowed.test": [target],
  "api.wild.test": [target],
  "port.test": [target],
  "loopback.test": ["127.0.0.1"],
  "metadata.test": ["169.254.169.254"],
  "mixed.test": [target, "10.0.0.5"],
  localhost: ["127.0.0.1", "::1"],
};
const resolveHost = async (host: string) => {
  const found = names[host];
  if (!found) throw new Error(`ENOTFOUND ${host}`);
  return found;
};

async function reachable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1", () => {
      socket.destroy();
      resolve(true);
    }).on("error", () => resolve(false));
  });
}

describe.skipIf(!isRoot)("a local sandbox's network", () => {
  const roots: string[] = [];
  const providers: SandboxProvider[] = [];
  const decisions: Record<string, unknown>[] = [];
  let targetProcess: ChildProcess | undefined;
  let hostService: Server;
  let hostPort = 0;
  let redisUp = false;
  let allowlist: Sandbox;
  let off: Sandbox;
  let on: Sandbox;

  async function sandboxWith(network: LocalSandboxOptions["network"]): Promise<Sandbox> {
    const rootDir = await mkdtemp(path.join(tmpdir(), "th-egress-"));
    roots.push(rootDir);
    const record = (obj: object) => decisions.push(obj as Record<string, unknown>);
    const provider = await createLocalSandboxProvider({
      rootDir,
      isolation: "namespaces",
      network,
      resolveHost,
      defaultTimeoutMs: 20_000,
      maxOutputBytes: 256 * 1024,
      logger: { info: record, warn: record, error: record },
    });
    providers.push(provider);
    return provider.open(`egress-${network.mode}`);
  }

  beforeAll(async () => {
    const veth = `the${tag}`;
    for (const args of [
      ["netns", "add", netns],
      ["link", "add", `${veth}h`, "type", "veth", "peer", "name", `${veth}n`],
      ["link", "set", `${veth}n`, "netns", netns],
      ["addr", "add", `${hostSide}/30`, "dev", `${veth}h`],
      ["link", "set", `${veth}h`, "up"],
      ["-n", netns, "addr", "add", `${target}/30`, "dev", `${veth}n`],
      ["-n", netns, "link", "set", `${veth}n`, "up"],
      ["-n", netns, "link", "set", "lo", "up"],
    ]) {
      await run("ip", args);
    }
    const child = spawn("ip", ["netns", "exec", netns, process.execPath, "-e", targetScript], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    targetProcess = child;
    await new Promise<void>((resolve, reject) => {
      child.stdout?.on("data", (chunk: Buffer) => chunk.toString().includes("ready") && resolve());
      child.on("exit", (code) => reject(new Error(`target server exited: ${code}`)));
    });
    // A probe hangs up without reading: a reset, not a failure.
    hostService = createServer((socket) => socket.on("error", () => {}).end("host-only service\n"));
    await new Promise<void>((resolve) => hostService.listen(0, "127.0.0.1", resolve));
    const address = hostService.address();
    hostPort = typeof address === "object" && address ? address.port : 0;
    redisUp = await reachable(6379);

    allowlist = await sandboxWith({
      mode: "allowlist",
      allow: [
        "allowed.test",
        "*.wild.test",
        "port.test:8080",
        "loopback.test",
        "metadata.test",
        "mixed.test",
        "localhost",
      ],
    });
    off = await sandboxWith({ mode: "off" });
    on = await sandboxWith({ mode: "on" });
  });

  afterAll(async () => {
    for (const provider of providers) await provider.close();
    for (const root of roots) await rm(root, { recursive: true, force: true });
    hostService?.close();
    targetProcess?.kill("SIGKILL");
    await run("ip", ["netns", "del", netns]).catch(() => {});
  });

  /** curl's body and status codes, through whatever proxy the sandbox's environment names. */
  const curl = async (sandbox: Sandbox, args: string, prefix = "") =>
    (
      await sandbox.exec(
        `${prefix} curl -sS --max-time 5 -w '\\n%{http_code} %{http_connect}' ${args} 2>&1; true`,
      )
    ).stdout;
  // Commands are told to skip the proxy for loopback; one that ignores that must still get nowhere.
  const ignoringNoProxy = "env -u NO_PROXY -u no_proxy";

  it("reaches an allowed host over plain HTTP through the proxy", async () => {
    expect(await curl(allowlist, "http://allowed.test/hello?x=1")).toBe(
      "hello from 80 host=allowed.test path=/hello?x=1\n\n200 000",
    );
  });

  it("tunnels to an allowed host with CONNECT, as HTTPS goes, also for a wildcard and a listed port", async () => {
    expect(await curl(allowlist, "--proxytunnel http://allowed.test:443/tunnel")).toBe(
      "hello from 443 host=allowed.test:443 path=/tunnel\n\n200 200",
    );
    expect(await curl(allowlist, "--proxytunnel http://api.wild.test:443/")).toMatch(/^hello from 443/);
    expect(await curl(allowlist, "http://port.test:8080/")).toMatch(/^hello from 8080/);
  });

  it("refuses a host that is not listed, or a listed host on another port, with 403 and a reason", async () => {
    expect(await curl(allowlist, "http://other.test/")).toBe(
      "threadhands egress proxy: Forbidden: other.test:80 is not on the sandbox's allow-list\n\n403 000",
    );
    expect(await curl(allowlist, "https://other.test/")).toMatch(
      /CONNECT tunnel failed, response 403[\s\S]*000 403$/,
    );
    expect(await curl(allowlist, "http://allowed.test:8080/")).toMatch(
      /allowed\.test:8080 is not on the sandbox's allow-list/,
    );
    expect(await curl(allowlist, "--proxytunnel http://127.0.0.1:6379/", ignoringNoProxy)).toMatch(
      /CONNECT tunnel failed, response 403[\s\S]*000 403$/,
    );
    const raw = await allowlist.exec(
      "exec 3<>/dev/tcp/127.0.0.1/3128; printf 'CONNECT 127.0.0.1:6379 HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n' >&3; cat <&3",
    );
    expect(raw.stdout).toMatch(
      /^HTTP\/1\.1 403 Forbidden\r\n[\s\S]*\r\n\r\nthreadhands egress proxy: Forbidden: 127\.0\.0\.1:6379 is not on the sandbox's allow-list\n$/,
    );
  });

  it("refuses a listed name that resolves to loopback, the metadata address or a private network", async () => {
    for (const host of ["loopback.test", "metadata.test", "mixed.test"]) {
      expect(await curl(allowlist, `http://${host}/`)).toBe(
        `threadhands egress proxy: Forbidden: ${host} resolves to a loopback, private, link-local or metadata address\n\n403 000`,
      );
      expect(await curl(allowlist, `--proxytunnel http://${host}:443/`)).toMatch(/000 403$/);
    }
    expect(await curl(allowlist, "http://localhost/", ignoringNoProxy)).toMatch(
      /localhost resolves to a loopback[\s\S]*403 000$/,
    );
  });

  it("logs each decision with the host, the outcome and the sandbox", async () => {
    await curl(allowlist, "http://allowed.test/logged");
    await curl(allowlist, "http://refused.test/logged");
    expect(decisions).toContainEqual(
      expect.objectContaining({ sandbox: allowlist.id, host: "allowed.test", port: 80, allowed: true }),
    );
    expect(decisions).toContainEqual(
      expect.objectContaining({ sandbox: allowlist.id, host: "refused.test", allowed: false }),
    );
  });

  it("gives commands the proxy settings and their own variables, and not file reads a relay", async () => {
    const result = await allowlist.exec(
      'echo "$HTTPS_PROXY $http_proxy $NO_PROXY"; printf %s "$TOKEN" | wc -c',
      {
        env: { TOKEN: "secret-value" },
      },
    );
    expect(result.stdout).toBe("http://127.0.0.1:3128 http://127.0.0.1:3128 localhost,127.0.0.1\n12\n");
    await allowlist.writeFile("note.txt", "kept");
    expect(new TextDecoder().decode(await allowlist.readFile("note.txt"))).toBe("kept");
  });

  const probe = (port: number, host = "127.0.0.1") =>
    `timeout 2 bash -c 'exec 3<>/dev/tcp/${host}/${port}' 2>/dev/null && echo reached-${port}; true`;
  const interfaces = "awk -F: 'NR > 2 { gsub(/ /, \"\", $1); print $1 }' /proc/net/dev";

  it("keeps an allow-list sandbox off the host's network: no loopback services, no Redis, no direct route", async () => {
    const result = await allowlist.exec(
      [probe(hostPort), probe(6379), probe(80, target), interfaces].join("; "),
    );
    expect(result.stdout).toBe("lo\n");
    expect(await curl(allowlist, `--noproxy '*' http://${target}/`)).toMatch(/000 000$/);
  });

  it("has no network at all with the network off", async () => {
    const result = await off.exec(
      [
        probe(hostPort),
        probe(6379),
        probe(80, target),
        probe(3128),
        'echo "proxy=$HTTP_PROXY$HTTPS_PROXY"',
        interfaces,
      ].join("; "),
    );
    expect(result.stdout).toBe("proxy=\nlo\n");
    expect(await curl(off, "http://allowed.test/")).toMatch(/Could not resolve host[\s\S]*000 000$/);
  });

  it("reaches the host's loopback services only with the network on", async () => {
    const result = await on.exec([probe(hostPort), probe(6379)].join("; "));
    expect(result.stdout).toContain(`reached-${hostPort}`);
    // Redis is the service this is about; a run without it still proves the route with ours.
    if (redisUp) expect(result.stdout).toContain("reached-6379");
  });
});
