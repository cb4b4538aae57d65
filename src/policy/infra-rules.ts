import {
  type Arg,
  type CommandRule,
  destroys,
  destructive,
  type Effect,
  hasFlag,
  optionValue,
  positionals,
  read,
  runs,
  values,
  write,
} from "./rule-helpers.ts";

export interface SubcommandTable {
  /** Options before or between subcommands that take a value (`-n prod`), so it is not read as one. */
  valueOptions: string[];
  read: string[];
  destructive: Record<string, string>;
  /** Flag-dependent subcommands, given the positionals after the subcommand and all args. */
  special?: Record<string, (rest: string[], args: Arg[]) => Effect[] | undefined>;
}

/**
 * Tools shaped `tool [global options] subcommand …` share one reading: find the subcommand
 * past the global options, then look it up; unlisted subcommands are writes.
 */
export function bySubcommand(program: string, table: SubcommandTable): CommandRule {
  const valueOptions = new Set(table.valueOptions);
  return ({ args }) => {
    const [subcommand, ...rest] = values(positionals(args, valueOptions));
    if (subcommand === undefined) return [read(`${program} without a subcommand only prints help`)];
    const special = table.special?.[subcommand]?.(rest, args);
    if (special) return special;
    const reason = table.destructive[subcommand];
    if (reason) return [destructive(`${program} ${subcommand} ${reason}`)];
    if (table.read.includes(subcommand)) return [read(`${program} ${subcommand} only reads`)];
    return [write(`${program} ${subcommand} changes state`)];
  };
}

const kubectlValueOptions = ["-n", "--namespace", "--context", "--kubeconfig", "--cluster", "--user", "-s"];

const kubectl = bySubcommand("kubectl", {
  valueOptions: [...kubectlValueOptions, "--server", "--token", "--as", "-l", "--selector", "-o", "-f", "-c"],
  read: [
    "get",
    "describe",
    "logs",
    "top",
    "explain",
    "api-resources",
    "api-versions",
    "version",
    "cluster-info",
  ],
  destructive: { delete: "deletes live resources", drain: "evicts every pod from a node" },
  special: {
    apply: (_rest, args) =>
      hasFlag(args, "", ["prune"])
        ? [destructive("kubectl apply --prune deletes resources not in the manifests")]
        : undefined,
    replace: (_rest, args) =>
      hasFlag(args, "", ["force"])
        ? [destructive("kubectl replace --force deletes and recreates resources")]
        : undefined,
    scale: (_rest, args) =>
      optionValue(args, undefined, "replicas") === "0"
        ? [destructive("kubectl scale --replicas=0 stops a workload")]
        : undefined,
    config: (rest) =>
      ["view", "get-contexts", "current-context", "get-clusters"].includes(rest[0] ?? "")
        ? [read("kubectl config only reads")]
        : undefined,
    auth: () => [read("kubectl auth only checks permissions")],
    rollout: (rest) =>
      ["status", "history"].includes(rest[0] ?? "")
        ? [read(`kubectl rollout ${rest[0]} only reads`)]
        : undefined,
    exec: (_rest, args) => {
      const separator = args.findIndex((arg) => arg.literal && arg.value === "--");
      const inner = separator < 0 ? [] : args.slice(separator + 1);
      return [write("kubectl exec runs a command in a pod"), ...(inner.length > 0 ? [runs(inner)] : [])];
    },
  },
});

const terraform = bySubcommand("terraform", {
  valueOptions: ["-var", "-var-file", "-target", "-out", "-state"],
  read: ["plan", "show", "validate", "output", "version", "providers", "graph", "console", "fmt"],
  destructive: { apply: "changes real infrastructure", destroy: "destroys real infrastructure" },
  special: {
    state: (rest) =>
      rest[0] === "rm" ? [destructive("terraform state rm forgets managed resources")] : undefined,
    workspace: (rest) =>
      rest[0] === "delete" ? [destructive("terraform workspace delete removes a state")] : undefined,
  },
});

const helm = bySubcommand("helm", {
  valueOptions: [
    "-n",
    "--namespace",
    "--kube-context",
    "--kubeconfig",
    "-f",
    "--values",
    "--set",
    "--version",
  ],
  read: [
    "list",
    "ls",
    "status",
    "get",
    "history",
    "show",
    "template",
    "search",
    "version",
    "lint",
    "diff",
    "env",
  ],
  destructive: {
    uninstall: "removes a release",
    delete: "removes a release",
    del: "removes a release",
    un: "removes a release",
    rollback: "reverts a release in place",
  },
});

/** aws: `s3 rm --recursive`, `s3 rb` and any `delete-*`/`terminate-*` operation lose data. */
const aws: CommandRule = ({ args }) => {
  const [service = "", operation = ""] = values(
    positionals(args, new Set(["--region", "--profile", "--output", "--endpoint-url", "--query"])),
  );
  if (service === "s3") {
    if (operation === "rm" && hasFlag(args, "", ["recursive"])) {
      return [destructive("aws s3 rm --recursive deletes every object under a prefix")];
    }
    if (operation === "rb") return [destructive("aws s3 rb deletes a bucket")];
    if (operation === "sync" && hasFlag(args, "", ["delete"]))
      return [destructive("aws s3 sync --delete removes objects")];
    if (operation === "ls") return [read("aws s3 ls only reads")];
    return [write(`aws s3 ${operation} changes objects`)];
  }
  if (/^(delete|terminate|remove|destroy|deregister|purge)-/.test(operation)) {
    return [destructive(`aws ${service} ${operation} deletes cloud resources`)];
  }
  if (/^(describe|list|get|head)-/.test(operation) || operation === "")
    return [read(`aws ${service} ${operation} only reads`)];
  return [write(`aws ${service} ${operation} changes cloud state`)];
};

/** gcloud puts the verb anywhere in a group path (`compute instances delete`), so look for it. */
const gcloud: CommandRule = ({ args }) => {
  const words = values(
    positionals(args, new Set(["--project", "--zone", "--region", "--format", "--account"])),
  );
  if (words.includes("delete")) return [destructive(`gcloud ${words.join(" ")} deletes cloud resources`)];
  if (words.some((word) => ["list", "describe", "get-iam-policy", "read", "tail"].includes(word))) {
    return [read("gcloud only reads")];
  }
  return [write("gcloud changes cloud state")];
};

const fly: CommandRule = ({ args }) => {
  const words = values(positionals(args, new Set(["-a", "--app", "-c", "--config", "-r", "--region"])));
  if (words.includes("destroy") || words.includes("delete")) {
    return [destructive(`fly ${words.join(" ")} destroys Fly resources`)];
  }
  const [verb = ""] = words;
  if (
    ["status", "logs", "list", "ls", "info", "releases", "version", "doctor", "ips", "regions"].includes(verb)
  ) {
    return [read(`fly ${verb} only reads`)];
  }
  return [write(`fly ${verb} changes the app`)];
};

const systemctl: CommandRule = ({ args }) => {
  const [verb = ""] = values(
    positionals(args, new Set(["-H", "--host", "-M", "--machine", "-p", "--property"])),
  );
  if (["stop", "kill", "disable", "mask", "poweroff", "reboot", "halt", "isolate"].includes(verb)) {
    return [destructive(`systemctl ${verb} takes a service or the machine down`)];
  }
  if (
    [
      "status",
      "show",
      "cat",
      "is-active",
      "is-enabled",
      "is-failed",
      "list-units",
      "list-unit-files",
      "",
    ].includes(verb)
  ) {
    return [read(`systemctl ${verb || "list-units"} only reads`)];
  }
  return [write(`systemctl ${verb} changes a service`)];
};

const service: CommandRule = ({ args }) => {
  const verb = positionals(args)[1]?.value ?? "";
  if (verb === "stop") return [destructive("service … stop takes a service down")];
  return verb === "status"
    ? [read("service status only reads")]
    : [write(`service … ${verb} changes a service`)];
};

/** SIGKILL gives the process no chance to clean up; a plain kill asks it to stop. */
const kill: CommandRule = ({ args }) => {
  if (hasFlag(args, "lL", ["list", "table"])) return [read("kill -l only lists signals")];
  const signal =
    optionValue(args, "s", "signal") ?? args.find((arg) => /^-\w+$/.test(arg.value))?.value.slice(1);
  if (signal && /^(9|KILL|SIGKILL)$/i.test(signal)) return [destructive("kill -9 force-kills processes")];
  return [write("kill signals processes to stop")];
};

export const infraRules: Record<string, CommandRule> = {
  kubectl,
  oc: kubectl,
  terraform,
  tofu: terraform,
  helm,
  aws,
  gcloud,
  fly,
  flyctl: fly,
  systemctl,
  service,
  kill,
  pkill: destroys("pkill kills every process that matches"),
  killall: destroys("killall kills every process with that name"),
  reboot: destroys("reboot restarts the machine"),
  shutdown: destroys("shutdown stops the machine"),
  poweroff: destroys("poweroff stops the machine"),
  halt: destroys("halt stops the machine"),
};
