import { spawn } from "node:child_process";
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLocalSandboxProvider } from "../../src/sandbox/local/local-sandbox-provider.ts";
import type { Sandbox, SandboxProvider } from "../../src/sandbox/sandbox.ts";

const repoDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const providerModule = path.join(repoDir, "src/sandbox/local/local-sandbox-provider.ts");
const isRoot = process.getuid?.() === 0;

async function hostProcessesMatching(needle: string): Promise<string[]> {
  const found: string[] = [];
  for (const pid of await readdir("/proc")) {
    if (!/^\d+$/.test(pid)) continue;
    const cmdline = await readFile(`/proc/${pid}/cmdline`, "utf8").catch(() => "");
    if (cmdline.includes(needle)) found.push(`${pid}: ${cmdline.replaceAll("\0", " ")}`);
  }
  return found;
}

async function mountsUnder(dir: string): Promise<string[]> {
  const info = await readFile("/proc/self/mountinfo", "utf8");
  return info.split("\n").filter((line) => line.split(" ")[4]?.startsWith(dir));
}

async function filesContaining(dir: string, needle: string): Promise<string[]> {
  const hits: string[] = [];
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const file = path.join(entry.parentPath, entry.name);
    if ((await readFile(file).catch(() => Buffer.alloc(0))).includes(needle)) hits.push(file);
  }
  return hits;
}

describe.skipIf(!isRoot)("an isolated local sandbox", () => {
  let rootDir: string;
  let seedDir: string;
  let provider: SandboxProvider;
  let sandbox: Sandbox;
  let server: Server;
  let serverPort = 0;

  beforeAll(async () => {
    rootDir = await mkdtemp(path.join(tmpdir(), "th-isolation-"));
    seedDir = await mkdtemp(path.join(tmpdir(), "th-isolation-seed-"));
    // Bound sources are read by the sandbox's uid; mkdtemp's 0700 would hide them.
    await chmod(seedDir, 0o755);
    await mkdir(path.join(seedDir, "runbooks"));
    await writeFile(path.join(seedDir, "runbooks", "restart.md"), "restart it\n");
    provider = await createLocalSandboxProvider({
      rootDir,
      isolation: "namespaces",
      network: { mode: "off" },
      limits: { memoryMb: 128, pids: 64, cpuPercent: 100 },
      seed: {
        sources: [
          { from: seedDir, to: "copied", mode: "copy" },
          { from: seedDir, to: "mounted", mode: "bind" },
        ],
        setup: ["echo setup-ran > setup.txt"],
      },
      defaultTimeoutMs: 20_000,
      maxOutputBytes: 256 * 1024,
    });
    sandbox = await provider.open("isolation");
    server = createServer((socket) => socket.end("hello from the host\n"));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const address = server.address();
    serverPort = typeof address === "object" && address ? address.port : 0;
  });

  afterAll(async () => {
    server?.close();
    await provider?.close();
    await rm(rootDir, { recursive: true, force: true });
    await rm(seedDir, { recursive: true, force: true });
  });

  it("says it is isolated", () => {
    expect(provider.description).toMatch(/isolated/);
  });

  it("runs commands as an unprivileged user with no capabilities", async () => {
    const result = await sandbox.exec("id -u; whoami; grep CapEff /proc/self/status");
    expect(result.stdout).toBe("47000\nsandbox\nCapEff:\t0000000000000000\n");
  });

  it("cannot read the bot's environment", async () => {
    const planted = `planted-${Math.random().toString(36).slice(2)}`;
    process.env.THREADHANDS_PLANTED_SECRET = planted;
    try {
      const result = await sandbox.exec("env; cat /proc/1/environ /proc/1/cmdline; true");
      expect(result.stdout).not.toContain(planted);
      expect(result.stdout).not.toContain("THREADHANDS_PLANTED_SECRET");
    } finally {
      delete process.env.THREADHANDS_PLANTED_SECRET;
    }
  });

  it("cannot see the bot's files or other sandboxes", async () => {
    const result = await sandbox.exec(
      `ls ${repoDir} ${rootDir} 2>&1; cat ${path.join(repoDir, "package.json")} 2>&1`,
    );
    expect(result.stdout).not.toContain("threadhands");
    expect(result.stdout).toMatch(/No such file or directory/);
    expect((await sandbox.exec("ls /sandbox")).stdout).toBe("home\ntmp\nworkspace\n");
    await expect(sandbox.readFile(path.join(repoDir, "package.json"))).rejects.toThrow(/cannot read/);
  });

  it("cannot list host processes", async () => {
    const result = await sandbox.exec("ps -e -o pid=,comm=");
    const lines = result.stdout.trim().split("\n");
    expect(lines.length).toBeLessThan(5);
    expect(result.stdout).not.toMatch(/node|vitest/);
  });

  it("cannot reach the host's loopback services with the network off", async () => {
    const probe = (port: number) =>
      sandbox.exec(`timeout 2 bash -c 'exec 3<>/dev/tcp/127.0.0.1/${port}; head -1 <&3' && echo reached`);
    expect((await probe(serverPort)).stdout).not.toContain("reached");
    expect((await probe(6379)).stdout).not.toContain("reached");
    expect(
      (await sandbox.exec("cat /sys/class/net/*/address 2>/dev/null; ls /sys 2>&1 | head -1")).stdout,
    ).not.toMatch(/eth/);
  });

  it("cannot write outside its own root, even by remounting", async () => {
    const result = await sandbox.exec(
      "touch /usr/planted /etc/planted /sandbox/planted 2>&1; mount -o remount,rw /usr 2>&1; touch /usr/again 2>&1; true",
    );
    expect(result.stdout).toMatch(/Read-only file system|Permission denied/);
    expect(
      (await sandbox.exec("ls /usr/planted /etc/planted /usr/again 2>&1 | grep -c 'No such'")).stdout,
    ).toBe("3\n");
  });

  it("seeds copied sources writable and bound ones read-only, and ran setup", async () => {
    const result = await sandbox.exec(
      "cat setup.txt copied/runbooks/restart.md mounted/runbooks/restart.md && echo more >> copied/runbooks/restart.md && ({ echo x > mounted/new; } 2>&1 || true)",
    );
    expect(result.stdout).toMatch(/^setup-ran\nrestart it\nrestart it\n.*Read-only file system/s);
    expect(await readFile(path.join(seedDir, "runbooks", "restart.md"), "utf8")).toBe("restart it\n");
  });

  it("keeps a per-command variable out of argv, /proc/1 and every file", async () => {
    const secret = `tok-${Math.random().toString(36).slice(2)}`;
    const result = await sandbox.exec(
      'tr "\\0" " " < /proc/1/cmdline; tr "\\0" " " < /proc/1/environ; echo "${#TOKEN}"',
      { env: { TOKEN: secret } },
    );
    expect(result.stdout).not.toContain(secret);
    expect(result.stdout.trim().endsWith(String(secret.length))).toBe(true);
    await sandbox.checkpoint("after secret");
    expect(await filesContaining(rootDir, secret)).toEqual([]);
  });

  it("stops a fork bomb at the pids limit", async () => {
    const result = await sandbox.exec("bomb() { bomb | bomb & }; bomb; sleep 2", { timeoutMs: 8_000 });
    expect(result.durationMs).toBeLessThan(8_500);
    expect((await sandbox.exec("echo still-alive")).stdout).toBe("still-alive\n");
  });

  it("kills a memory hog at the memory limit", async () => {
    const result = await sandbox.exec("head -c 1G /dev/zero | tail > /dev/null; echo status=$?", {
      timeoutMs: 20_000,
    });
    expect(result.timedOut).toBe(false);
    expect(result.stdout).toMatch(/status=(137|9)/);
  });

  it("kills a hung command at its timeout", async () => {
    const result = await sandbox.exec("sleep 1000", { timeoutMs: 500 });
    expect(result.timedOut).toBe(true);
    expect(result.durationMs).toBeLessThan(3_000);
  });

  it("folds the oldest checkpoints into the base when there are too many, keeping the rest exact", async () => {
    const foldRoot = await mkdtemp(path.join(tmpdir(), "th-fold-"));
    const folding = await createLocalSandboxProvider({
      rootDir: foldRoot,
      isolation: "namespaces",
      network: { mode: "off" },
      defaultTimeoutMs: 10_000,
      maxOutputBytes: 64 * 1024,
      maxCheckpoints: 3,
    });
    try {
      const deep = await folding.open("deep");
      const ids: string[] = [];
      for (let index = 0; index < 6; index++) {
        await deep.exec(
          `echo ${index} >> history && rm -f gone-${index - 1} && touch gone-${index} && mkdir -p d${index}`,
        );
        ids.push((await deep.checkpoint(`step ${index}`)).id);
      }
      expect((await deep.listCheckpoints()).map((checkpoint) => checkpoint.label)).toEqual([
        "step 3",
        "step 4",
        "step 5",
      ]);
      await deep.exec("rm -rf ./*");
      await deep.restore(ids[3] ?? "");
      expect((await deep.exec("cat history; ls")).stdout).toBe(
        "0\n1\n2\n3\nd0\nd1\nd2\nd3\ngone-3\nhistory\n",
      );
      // The folded base, the layer sealed by "step 3" and a fresh writable layer.
      expect(await readdir(path.join(foldRoot, deep.id, "L"))).toHaveLength(3);
    } finally {
      await folding.close();
      await rm(foldRoot, { recursive: true, force: true });
    }
  });

  it("leaves no process and no mount after destroy", async () => {
    const doomed = await provider.open("doomed");
    const marker = "1000.31415";
    const running = doomed.exec(`sleep ${marker}`);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await hostProcessesMatching(marker)).not.toEqual([]);
    await doomed.destroy();
    await running;
    expect(await hostProcessesMatching(marker)).toEqual([]);
    expect((await mountsUnder(rootDir)).filter((line) => !line.includes(sandbox.id))).toEqual([]);
  });

  it("cleans up after a bot that was killed mid-command", async () => {
    const crashRoot = await mkdtemp(path.join(tmpdir(), "th-crash-"));
    const marker = "1000.27182";
    const script = `
      import { createLocalSandboxProvider } from ${JSON.stringify(providerModule)};
      const provider = await createLocalSandboxProvider({ rootDir: ${JSON.stringify(crashRoot)}, isolation: "namespaces",
        network: { mode: "off" }, limits: { pids: 32 }, defaultTimeoutMs: 2000000, maxOutputBytes: 1024 });
      const sandbox = await provider.open("crash");
      void sandbox.exec("sleep ${marker}");
      setTimeout(() => console.log("ready"), 300);
    `;
    const child = spawn(process.execPath, ["--input-type=module", "-e", script], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    await new Promise<void>((resolve, reject) => {
      child.stdout.on("data", (chunk: Buffer) => chunk.toString().includes("ready") && resolve());
      child.on("exit", (code) => reject(new Error(`child exited early: ${code}`)));
    });
    expect(await hostProcessesMatching(marker)).not.toEqual([]);
    expect(await mountsUnder(crashRoot)).not.toEqual([]);
    child.kill("SIGKILL");
    await new Promise((resolve) => child.once("exit", resolve));

    const next = await createLocalSandboxProvider({
      rootDir: crashRoot,
      isolation: "namespaces",
      network: { mode: "off" },
      limits: { pids: 32 },
      defaultTimeoutMs: 5_000,
      maxOutputBytes: 1024,
    });
    try {
      expect(await mountsUnder(crashRoot)).toEqual([]);
      expect(await hostProcessesMatching(marker)).toEqual([]);
      const resumed = await next.find("crash");
      expect((await resumed?.exec("echo resumed"))?.stdout).toBe("resumed\n");
    } finally {
      await next.close();
      expect(await mountsUnder(crashRoot)).toEqual([]);
      await rm(crashRoot, { recursive: true, force: true });
    }
  });
});
