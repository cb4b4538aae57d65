import { bySubcommand } from "./infra-rules.ts";
import {
  type CommandRule,
  commandAfter,
  destructive,
  type Effect,
  hasFlag,
  read,
  runs,
  write,
} from "./rule-helpers.ts";

const dockerValueOptions = ["-H", "--host", "--context", "-c", "--config", "-l", "--log-level"];
const dockerExecValueOptions = new Set(["-e", "--env", "-u", "--user", "-w", "--workdir", "--env-file"]);
const dockerRemovals = "removes containers, images or volumes";

const docker = bySubcommand("docker", {
  valueOptions: [...dockerValueOptions, "--filter", "--format"],
  read: [
    "ps",
    "images",
    "logs",
    "inspect",
    "version",
    "info",
    "stats",
    "top",
    "port",
    "diff",
    "events",
    "search",
    "history",
  ],
  destructive: { rm: dockerRemovals, rmi: dockerRemovals, kill: "kills containers" },
  special: {
    system: (rest) =>
      rest[0] === "prune"
        ? [destructive("docker system prune removes unused data")]
        : [read("docker system only reads")],
    exec: (_rest, args) => {
      const afterExec = args.slice(args.findIndex((arg) => arg.value === "exec") + 1);
      const inner = commandAfter(afterExec, dockerExecValueOptions, 1);
      return [write("docker exec runs a command in a container"), ...(inner.length > 0 ? [runs(inner)] : [])];
    },
    container: (rest) => dockerObject("container", rest),
    image: (rest) => dockerObject("image", rest),
    volume: (rest) => dockerObject("volume", rest),
    network: (rest) => dockerObject("network", rest),
    builder: (rest) => dockerObject("builder", rest),
    compose: (rest, args) => {
      if (rest[0] === "down" && hasFlag(args, "v", ["volumes", "rmi"])) {
        return [destructive("docker compose down -v removes volumes")];
      }
      if (rest[0] === "rm") return [destructive(`docker compose rm ${dockerRemovals}`)];
      return ["ps", "logs", "config", "ls", "images", "top"].includes(rest[0] ?? "")
        ? [read(`docker compose ${rest[0]} only reads`)]
        : undefined;
    },
  },
});

function dockerObject(object: string, rest: string[]): Effect[] {
  const [action = ""] = rest;
  if (["rm", "remove", "prune", "kill"].includes(action))
    return [destructive(`docker ${object} ${action} ${dockerRemovals}`)];
  if (["ls", "list", "inspect", "logs", "history", "top", "port", "stats", "diff"].includes(action)) {
    return [read(`docker ${object} ${action} only reads`)];
  }
  return [write(`docker ${object} ${action} changes state`)];
}

export const dockerRules: Record<string, CommandRule> = { docker, podman: docker, nerdctl: docker };
