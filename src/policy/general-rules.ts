import {
  type CommandRule,
  destructive,
  type Effect,
  hasFlag,
  optionValue,
  positionals,
  read,
  reads,
  values,
  write,
} from "./rule-helpers.ts";

/** Programs that only inspect: files, processes, the network, the shell's own state. */
const readOnlyPrograms = (
  "ls ll cat head tail less more grep egrep fgrep zgrep rg ag ack locate which whereis type file stat wc " +
  "uniq cut tr paste join nl fold fmt column rev tac jq yq diff cmp comm echo printf pwd whoami id groups " +
  "hostname uname date uptime printenv ps pgrep pstree top htop free df du lsblk blkid lsof netstat ss " +
  "ifconfig ping dig nslookup host traceroute tracepath mtr getent nproc lscpu lsmod lspci lsusb vmstat " +
  "iostat mpstat sar basename dirname realpath readlink md5sum sha1sum sha256sum sha512sum cksum base64 " +
  "xxd od hexdump strings tree seq yes cal tput clear true false test [ : cd pushd popd dirs export set " +
  "unset shift read wait jobs sleep alias unalias hash help man whatis apropos tty locale last w who users " +
  "getconf expr bc factor numfmt envsubst ldd nm objdump readelf pg_dump mysqldump local declare typeset " +
  "readonly return exit break continue umask ulimit shopt logger systemd-analyze kubectx kubens"
).split(" ");

/** curl reads unless it sends a body, uses a changing method, or saves to a file. */
const curl: CommandRule = ({ args }) => {
  const effects: Effect[] = [];
  const method = optionValue(args, "X", "request")?.toUpperCase();
  if (method && !["GET", "HEAD", "OPTIONS"].includes(method)) {
    effects.push(write(`curl -X ${method} asks a server to change something`));
  }
  const body = /^(-[dFT]|--(data|data-raw|data-binary|data-urlencode|form|upload-file|json)(=|$))/;
  if (args.some((arg) => arg.literal && body.test(arg.value)))
    effects.push(write("curl -d sends data to a server"));
  const output = optionValue(args, "o", "output");
  if (output !== undefined && output !== "-" && !output.startsWith("/dev/")) {
    effects.push({ kind: "may-overwrite", path: output, verb: "curl -o overwrites" });
  }
  if (hasFlag(args, "O", ["remote-name"])) effects.push(write("curl -O saves a file"));
  return effects.length > 0 ? effects : [read("curl GET only reads")];
};

const wget: CommandRule = ({ args }) => {
  if (args.some((arg) => arg.value.startsWith("--post") || /^--method=(?!GET)/i.test(arg.value))) {
    return [write("wget sends data to a server")];
  }
  const output = optionValue(args, "O", "output-document");
  if (hasFlag(args, "", ["spider"]) || output === "-" || args.some((arg) => /^-q?O-$/.test(arg.value))) {
    return [read("wget to standard output only reads")];
  }
  return [write("wget downloads a file")];
};

/**
 * Package managers install, remove and run scripts (all writes: reinstalling recovers);
 * only their query verbs read.
 */
function packageManager(
  program: string,
  readVerbs: string[],
  bareCommand: "read" | "write" = "read",
): CommandRule {
  return ({ args }) => {
    const [verb] = values(positionals(args));
    if (verb === undefined) {
      return bareCommand === "read"
        ? [read(`${program} alone only prints help`)]
        : [write(`${program} installs packages`)];
    }
    if (readVerbs.includes(verb)) return [read(`${program} ${verb} only reads`)];
    return [write(`${program} ${verb} changes installed packages or runs project scripts`)];
  };
}

const npmReads = [
  "ls",
  "list",
  "view",
  "info",
  "show",
  "search",
  "outdated",
  "why",
  "explain",
  "help",
  "audit",
  "doctor",
];
const pipReads = ["list", "show", "freeze", "search", "check", "help", "index", "inspect"];
const aptReads = [
  "list",
  "search",
  "show",
  "policy",
  "depends",
  "rdepends",
  "changelog",
  "showpkg",
  "madison",
];

const crontab: CommandRule = ({ args }) => {
  if (hasFlag(args, "r")) return [destructive("crontab -r deletes every cron job")];
  return hasFlag(args, "l") ? [read("crontab -l only lists jobs")] : [write("crontab replaces cron jobs")];
};

const ip: CommandRule = ({ args }) => {
  const changes = ["add", "del", "delete", "set", "flush", "change", "replace", "append", "link-netns"];
  return values(positionals(args)).some((word) => changes.includes(word))
    ? [write("ip changes network configuration")]
    : [read("ip only shows network state")];
};

const iptables: CommandRule = ({ args }) => {
  if (hasFlag(args, "F", ["flush"])) return [destructive("iptables -F drops every firewall rule")];
  return hasFlag(args, "LS", ["list", "list-rules"])
    ? [read("iptables -L only lists rules")]
    : [write("iptables changes firewall rules")];
};

function readsUnless(
  program: string,
  shortLetters: string,
  longNames: string[],
  reason: string,
): CommandRule {
  return ({ args }) =>
    hasFlag(args, shortLetters, longNames) ? [write(reason)] : [read(`${program} only reads`)];
}

export const generalRules: Record<string, CommandRule> = {
  ...Object.fromEntries(readOnlyPrograms.map((program) => [program, reads(program)])),
  curl,
  wget,
  npm: packageManager("npm", npmReads),
  pnpm: packageManager("pnpm", npmReads),
  yarn: packageManager("yarn", npmReads, "write"),
  npx: packageManager("npx", []),
  pip: packageManager("pip", pipReads),
  pip3: packageManager("pip3", pipReads),
  uv: packageManager("uv", ["tree", "version", "help"]),
  apt: packageManager("apt", aptReads),
  "apt-get": packageManager("apt-get", aptReads),
  "apt-cache": reads("apt-cache"),
  dpkg: readsUnless(
    "dpkg",
    "irP",
    ["install", "remove", "purge", "configure"],
    "dpkg installs or removes packages",
  ),
  brew: packageManager("brew", ["list", "info", "search", "outdated", "deps", "doctor", "config"]),
  cargo: packageManager("cargo", ["tree", "metadata", "search", "version", "help", "check", "clippy"]),
  crontab,
  ip,
  iptables,
  journalctl: readsUnless(
    "journalctl",
    "",
    ["vacuum-size", "vacuum-time", "vacuum-files", "rotate", "flush"],
    "journalctl removes or rotates logs",
  ),
  dmesg: readsUnless("dmesg", "cC", ["clear", "read-clear"], "dmesg -c clears the kernel log"),
  sort: readsUnless("sort", "o", ["output"], "sort -o writes a file"),
  history: readsUnless("history", "cdw", [], "history changes the shell history"),
  mount: ({ args }) =>
    args.length === 0 ? [read("mount only lists mounts")] : [write("mount changes mounts")],
  umount: () => [write("umount detaches a filesystem")],
};
