import { access, mkdir, readdir, readFile, rmdir, writeFile } from "node:fs/promises";
import path from "node:path";

export interface Limits {
  memoryMb?: number;
  pids?: number;
  cpuPercent?: number;
}

/**
 * Per-sandbox cgroups under the bot's own cgroup. Hosts differ: pure v2, or hybrid with the
 * controllers on v1 (this CI machine). A host where neither is writable gets no limits, said once.
 */
export interface CgroupLimits {
  readonly description: string;
  /** Creates (or resets) the sandbox's groups; returns the `cgroup.procs` files to join. */
  prepare(name: string): Promise<string[]>;
  remove(name: string): Promise<void>;
  /** Kills what a crashed bot left in its groups and removes them. */
  removeAll(): Promise<void>;
}

interface Controller {
  /** Where this provider's groups live, e.g. /sys/fs/cgroup/pids/threadhands-1a2b. */
  base: string;
  write(dir: string, limits: Limits): Promise<void>;
}

export async function createCgroupLimits(limits: Limits, instance: string): Promise<CgroupLimits> {
  const controllers = await detectControllers(limits, instance);
  const wanted = Object.values(limits).some((value) => value !== undefined);
  return {
    description:
      controllers.length === 0
        ? wanted
          ? "no cgroup limits (not writable here)"
          : "no limits"
        : `cgroup limits (${controllers.map((c) => c.base.split("/")[3]).join(", ")})`,
    async prepare(name) {
      const files: string[] = [];
      for (const controller of controllers) {
        const dir = path.join(controller.base, name);
        await mkdir(dir, { recursive: true });
        await controller.write(dir, limits);
        files.push(path.join(dir, "cgroup.procs"));
      }
      return files;
    },
    async remove(name) {
      for (const controller of controllers) await removeGroup(path.join(controller.base, name));
    },
    async removeAll() {
      for (const controller of controllers) {
        for (const name of await readdir(controller.base).catch(() => [])) {
          const dir = path.join(controller.base, name);
          const entries: string[] = await readdir(dir).catch(() => []);
          if (entries.includes("cgroup.procs")) await removeGroup(dir);
        }
      }
    },
  };
}

async function detectControllers(limits: Limits, instance: string): Promise<Controller[]> {
  const own = await readFile("/proc/self/cgroup", "utf8").catch(() => "");
  const lines = own
    .trim()
    .split("\n")
    .map((line) => line.split(":"));
  const found: Controller[] = [];
  const v2Path = lines.find(([id]) => id === "0")?.[2];
  const v2Mount = (await exists("/sys/fs/cgroup/cgroup.controllers"))
    ? "/sys/fs/cgroup"
    : "/sys/fs/cgroup/unified";
  const v2Controllers = await readFile(path.join(v2Mount, v2Path ?? "/", "cgroup.controllers"), "utf8").catch(
    () => "",
  );
  const v2Has = (name: string) => v2Controllers.split(/\s+/).includes(name);
  const wants = {
    memory: limits.memoryMb !== undefined,
    pids: limits.pids !== undefined,
    cpu: limits.cpuPercent !== undefined,
  };
  if (v2Path !== undefined && (["memory", "pids", "cpu"] as const).every((c) => !wants[c] || v2Has(c))) {
    if (!Object.values(wants).some(Boolean)) return [];
    const base = path.join(v2Mount, v2Path, `threadhands-${instance}`);
    if (await tryMkdir(base)) {
      const enable = (["memory", "pids", "cpu"] as const).filter((c) => wants[c]).map((c) => `+${c}`);
      const ok = await writeFile(path.join(base, "cgroup.subtree_control"), enable.join(" ")).then(
        () => true,
        () => false,
      );
      if (ok) return [{ base, write: writeV2 }];
    }
  }
  for (const controller of ["memory", "pids", "cpu"] as const) {
    if (!wants[controller]) continue;
    const relative = lines.find(([, names]) => names?.split(",").includes(controller))?.[2];
    if (relative === undefined) continue;
    const base = path.join("/sys/fs/cgroup", controller, relative, `threadhands-${instance}`);
    if (await tryMkdir(base)) found.push({ base, write: v1Writer(controller) });
  }
  return found;
}

async function writeV2(dir: string, limits: Limits): Promise<void> {
  if (limits.memoryMb !== undefined) {
    await writeFile(path.join(dir, "memory.max"), String(limits.memoryMb * 1024 * 1024));
    await writeFile(path.join(dir, "memory.swap.max"), "0").catch(() => {});
  }
  if (limits.pids !== undefined) await writeFile(path.join(dir, "pids.max"), String(limits.pids));
  if (limits.cpuPercent !== undefined) {
    await writeFile(path.join(dir, "cpu.max"), `${Math.round(limits.cpuPercent * 1000)} 100000`);
  }
}

function v1Writer(controller: "memory" | "pids" | "cpu") {
  return async (dir: string, limits: Limits): Promise<void> => {
    if (controller === "memory" && limits.memoryMb !== undefined) {
      const bytes = String(limits.memoryMb * 1024 * 1024);
      await writeFile(path.join(dir, "memory.limit_in_bytes"), bytes);
      // Without swap accounting a hog would page out instead of being killed.
      await writeFile(path.join(dir, "memory.memsw.limit_in_bytes"), bytes).catch(() => {});
    }
    if (controller === "pids" && limits.pids !== undefined) {
      await writeFile(path.join(dir, "pids.max"), String(limits.pids));
    }
    if (controller === "cpu" && limits.cpuPercent !== undefined) {
      await writeFile(path.join(dir, "cpu.cfs_period_us"), "100000");
      await writeFile(path.join(dir, "cpu.cfs_quota_us"), String(Math.round(limits.cpuPercent * 1000)));
    }
  };
}

async function removeGroup(dir: string): Promise<void> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const procs = await readFile(path.join(dir, "cgroup.procs"), "utf8").catch(() => undefined);
    if (procs === undefined) return;
    for (const pid of procs.split("\n").filter(Boolean)) {
      try {
        process.kill(Number(pid), "SIGKILL");
      } catch {
        // Gone already.
      }
    }
    try {
      await rmdir(dir);
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
}

async function tryMkdir(dir: string): Promise<boolean> {
  return mkdir(dir, { recursive: true }).then(
    () => true,
    () => false,
  );
}

async function exists(file: string): Promise<boolean> {
  return access(file).then(
    () => true,
    () => false,
  );
}
