import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../../config/load-config.ts";
import { parseAllowList } from "../../src/sandbox/local/egress-allowlist.ts";
import { isForbiddenAddress } from "../../src/sandbox/local/forbidden-address.ts";
import { createLocalSandboxProvider } from "../../src/sandbox/local/local-sandbox-provider.ts";

describe("the egress address policy", () => {
  it.each([
    "127.0.0.1",
    "127.1.2.3",
    "0.0.0.0",
    "10.1.2.3",
    "172.16.0.1",
    "172.31.255.255",
    "192.168.1.1",
    "169.254.169.254",
    "100.64.0.1",
    "224.0.0.1",
    "255.255.255.255",
    "::",
    "::1",
    "[::1]",
    "fd00:ec2::254",
    "fc00::1",
    "fe80::1%eth0",
    "ff02::1",
    "::ffff:127.0.0.1",
    "::ffff:7f00:1",
    "::ffff:a9fe:a9fe",
    "64:ff9b::a9fe:a9fe",
    "2002:7f00:1::",
    "not-an-address",
    "",
  ])("refuses %s", (address) => {
    expect(isForbiddenAddress(address)).toBe(true);
  });

  it.each([
    "93.184.216.34",
    "140.82.112.3",
    "203.0.113.7",
    "172.32.0.1",
    "2606:4700:4700::1111",
    "::ffff:8.8.8.8",
  ])("lets %s through", (address) => {
    expect(isForbiddenAddress(address)).toBe(false);
  });
});

describe("the egress allow-list", () => {
  const list = parseAllowList([
    "api.github.com",
    "*.githubusercontent.com",
    "Example.com:8080",
    "registry.npmjs.org.",
  ]);

  it("allows a listed host on the web ports only, unless a port is given", () => {
    expect(list.allows("api.github.com", 443)).toBe(true);
    expect(list.allows("API.GitHub.com.", 80)).toBe(true);
    expect(list.allows("api.github.com", 22)).toBe(false);
    expect(list.allows("example.com", 8080)).toBe(true);
    expect(list.allows("example.com", 443)).toBe(false);
    expect(list.allows("registry.npmjs.org", 443)).toBe(true);
  });

  it("matches a wildcard below its suffix, never the suffix itself or a look-alike", () => {
    expect(list.allows("raw.githubusercontent.com", 443)).toBe(true);
    expect(list.allows("a.b.githubusercontent.com", 443)).toBe(true);
    expect(list.allows("githubusercontent.com", 443)).toBe(false);
    expect(list.allows("evilgithubusercontent.com", 443)).toBe(false);
    expect(list.allows("api.github.com.evil.test", 443)).toBe(false);
  });

  it.each([
    "",
    "*",
    "*.",
    "https://api.github.com",
    "api.github.com/path",
    "a..b",
    "host:0",
    "host:70000",
    "foo.*.com",
  ])("rejects the entry %j at startup", (entry) => {
    expect(() => parseAllowList([entry])).toThrow(/sandbox\.network\.allow/);
  });
});

describe("allow-list configuration", () => {
  const env = {
    SLACK_BOT_TOKEN: "xoxb-test-token",
    SLACK_SIGNING_SECRET: "signing-secret-value",
    OPENAI_API_KEY: "sk-secret-key-value",
  };

  async function networkFrom(yaml: string): Promise<unknown> {
    const dir = await mkdtemp(path.join(tmpdir(), "th-egress-config-"));
    try {
      const file = path.join(dir, "threadhands.yaml");
      await writeFile(file, yaml);
      return loadConfig(env, file).sandbox.network;
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  it("accepts the old strings and a list of hosts, and is off by default", async () => {
    expect(loadConfig(env).sandbox.network).toBe("off");
    expect(await networkFrom("sandbox:\n  network: 'on'\n")).toBe("on");
    expect(await networkFrom("sandbox:\n  network:\n    allow: [api.github.com, '*.npmjs.org']\n")).toEqual({
      allow: ["api.github.com", "*.npmjs.org"],
    });
    await expect(networkFrom("sandbox:\n  network:\n    allow: []\n")).rejects.toThrow(/sandbox\.network/);
    await expect(networkFrom("sandbox:\n  network: sometimes\n")).rejects.toThrow(/sandbox\.network/);
  });

  it("refuses an allow-list for a portable sandbox instead of allowing everything", async () => {
    const rootDir = await mkdtemp(path.join(tmpdir(), "th-egress-portable-"));
    try {
      await expect(
        createLocalSandboxProvider({
          rootDir,
          isolation: "portable",
          network: { mode: "allowlist", allow: ["api.github.com"] },
          defaultTimeoutMs: 5_000,
          maxOutputBytes: 1024,
        }),
      ).rejects.toMatchObject({ code: "sandbox_egress_unenforceable", message: /needs namespace isolation/ });
    } finally {
      await rm(rootDir, { recursive: true, force: true });
    }
  });
});
