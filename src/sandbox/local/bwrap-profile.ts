import { lstat, readFile, readlink, writeFile } from "node:fs/promises";
import path from "node:path";

/** Inside the sandbox: its own state at /sandbox, the workspace below it, /tmp pointing into it. */
export const SANDBOX_ROOT = "/sandbox";
export const SANDBOX_WORKSPACE = "/sandbox/workspace";
export const SANDBOX_HOME = "/sandbox/home";

const HOST_READ_ONLY = ["/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/etc"];
/** Host secrets under /etc that common CLIs never need. */
const MASKED_FILES = ["/etc/shadow", "/etc/shadow-", "/etc/gshadow", "/etc/gshadow-", "/etc/sudoers"];
const MASKED_DIRS = ["/etc/ssh", "/etc/ssl/private", "/etc/sudoers.d"];

export interface BwrapProfile {
  /** Arguments shared by every command: namespaces, host mounts, the unprivileged user. */
  prefix: string[];
  /** Arguments that run `argv` as the sandbox user once the namespace is built. */
  userSwitch: string[];
}

/**
 * Built once per provider. As root, bwrap keeps every capability unless told otherwise (a command
 * could remount a read-only bind writable), so only setuid/setgid/setpcap survive, and setpriv
 * spends them immediately on becoming the sandbox user with an empty bounding set.
 */
export async function buildBwrapProfile(options: {
  stateDir: string;
  /** Only `on` shares the host's network; allow-list sandboxes reach their proxy through a socket. */
  network: "off" | "on" | "allowlist";
  uid: number;
  gid: number;
}): Promise<BwrapProfile> {
  const args = [
    "--unshare-ipc",
    "--unshare-pid",
    "--unshare-uts",
    "--unshare-cgroup-try",
    ...(options.network === "on" ? [] : ["--unshare-net"]),
    "--hostname",
    "sandbox",
    "--die-with-parent",
    "--new-session",
  ];
  for (const hostPath of HOST_READ_ONLY) {
    const stats = await lstat(hostPath).catch(() => undefined);
    if (!stats) continue;
    if (stats.isSymbolicLink()) args.push("--symlink", await readlink(hostPath), hostPath);
    else if (stats.isDirectory()) args.push("--ro-bind", hostPath, hostPath);
  }
  for (const file of MASKED_FILES) {
    if (await lstat(file).catch(() => undefined)) args.push("--ro-bind", "/dev/null", file);
  }
  for (const dir of MASKED_DIRS) {
    if ((await lstat(dir).catch(() => undefined))?.isDirectory())
      args.push("--tmpfs", dir, "--remount-ro", dir);
  }
  const identity = await writeIdentityFiles(options.stateDir, options.uid, options.gid);
  args.push("--ro-bind", identity.passwd, "/etc/passwd", "--ro-bind", identity.group, "/etc/group");
  args.push(
    "--proc",
    "/proc",
    "--dev",
    "/dev",
    // A private, sticky tmpfs per command: credential files live here, never in the sandbox tree.
    "--perms",
    "1777",
    "--tmpfs",
    "/dev/shm",
    "--tmpfs",
    "/run",
    "--symlink",
    `${SANDBOX_ROOT}/tmp`,
    "/tmp",
  );
  args.push(
    "--cap-drop",
    "ALL",
    "--cap-add",
    "CAP_SETUID",
    "--cap-add",
    "CAP_SETGID",
    "--cap-add",
    "CAP_SETPCAP",
  );
  const userSwitch = [
    "setpriv",
    `--reuid=${options.uid}`,
    `--regid=${options.gid}`,
    "--clear-groups",
    "--bounding-set=-all",
    "--inh-caps=-all",
    "--",
  ];
  return { prefix: args, userSwitch };
}

/** The host's users plus `sandbox`, so `whoami`, `ls -l` and git see a name. */
async function writeIdentityFiles(stateDir: string, uid: number, gid: number) {
  const passwd = path.join(stateDir, "passwd");
  const group = path.join(stateDir, "group");
  const hostPasswd = await readFile("/etc/passwd", "utf8").catch(() => "root:x:0:0:root:/root:/bin/sh\n");
  const hostGroup = await readFile("/etc/group", "utf8").catch(() => "root:x:0:\n");
  await writeFile(
    passwd,
    `${hostPasswd.trimEnd()}\nsandbox:x:${uid}:${gid}:sandbox:${SANDBOX_HOME}:/bin/bash\n`,
  );
  await writeFile(group, `${hostGroup.trimEnd()}\nsandbox:x:${gid}:\n`);
  return { passwd, group };
}

export function sandboxEnv(): Record<string, string> {
  return {
    PATH: "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
    HOME: SANDBOX_HOME,
    USER: "sandbox",
    LOGNAME: "sandbox",
    SHELL: "/bin/bash",
    TMPDIR: "/tmp",
    LANG: "C.UTF-8",
    TERM: "dumb",
  };
}
