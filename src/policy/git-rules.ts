import {
  type Arg,
  type CommandRule,
  destructive,
  type Effect,
  hasFlag,
  positionals,
  read,
  values,
  write,
} from "./rule-helpers.ts";

const globalValueOptions = new Set(["-C", "-c", "--git-dir", "--work-tree", "--namespace", "--exec-path"]);

const readSubcommands = new Set([
  "status",
  "log",
  "diff",
  "show",
  "blame",
  "grep",
  "ls-files",
  "ls-tree",
  "ls-remote",
  "rev-parse",
  "rev-list",
  "describe",
  "shortlog",
  "cat-file",
  "show-ref",
  "for-each-ref",
  "whatchanged",
  "version",
  "help",
  "count-objects",
  "fsck",
  "check-ignore",
  "merge-base",
  "name-rev",
  "var",
]);

type SubcommandRule = (args: Arg[]) => Effect[];

/** Subcommands whose risk depends on their flags; everything else not in `readSubcommands` writes. */
const subcommandRules: Record<string, SubcommandRule> = {
  reset: (args) =>
    hasFlag(args, "", ["hard", "merge", "keep"])
      ? [destructive("git reset --hard discards uncommitted changes")]
      : [write("git reset moves the branch or the index")],
  clean: (args) => {
    if (hasFlag(args, "n", ["dry-run"])) return [read("git clean -n only lists what it would remove")];
    return hasFlag(args, "f", ["force"])
      ? [destructive("git clean -f deletes untracked files")]
      : [write("git clean without -f refuses to delete")];
  },
  checkout: (args) => {
    const paths = positionals(args, new Set(["-b", "-B", "--orphan"]));
    const discards =
      args.some((arg) => arg.literal && arg.value === "--") ||
      hasFlag(args, "f", ["force"]) ||
      paths.some((arg) => arg.value === "." || arg.many);
    if (hasFlag(args, "bB", ["orphan"]) && !discards) return [write("git checkout -b creates a branch")];
    return discards
      ? [destructive("git checkout of paths discards uncommitted changes in the worktree")]
      : [write("git checkout switches branches")];
  },
  restore: (args) => {
    const worktree = hasFlag(args, "W", ["worktree"]) || !hasFlag(args, "S", ["staged"]);
    return worktree
      ? [destructive("git restore discards uncommitted changes in the worktree")]
      : [write("git restore --staged only unstages")];
  },
  switch: (args) =>
    hasFlag(args, "f", ["discard-changes", "force"])
      ? [destructive("git switch --discard-changes discards uncommitted changes")]
      : [write("git switch changes branches")],
  push: (args) => {
    const forced = hasFlag(args, "fd", ["force", "force-with-lease", "delete", "mirror", "prune"]);
    const refspecs = positionals(args, new Set(["-o", "--push-option", "--repo"]));
    if (forced || refspecs.some((arg) => /^[+:]/.test(arg.value))) {
      return [destructive("git push --force (or --delete) rewrites or removes remote history")];
    }
    return [write("git push publishes commits")];
  },
  branch: (args) => {
    if (hasFlag(args, "D") || (hasFlag(args, "d", ["delete"]) && hasFlag(args, "f", ["force"]))) {
      return [destructive("git branch -D deletes a branch with unmerged work")];
    }
    if (hasFlag(args, "dmMcC", ["delete", "move", "copy", "set-upstream-to", "unset-upstream"])) {
      return [write("git branch changes branches")];
    }
    const listing = positionals(
      args,
      new Set(["--contains", "--merged", "--no-merged", "--sort", "--format"]),
    );
    return listing.length === 0
      ? [read("git branch only lists branches")]
      : [write("git branch creates a branch")];
  },
  stash: (args) => {
    const [action = "push"] = values(positionals(args));
    if (action === "list" || action === "show") return [read(`git stash ${action} only reads`)];
    if (action === "drop" || action === "clear")
      return [destructive(`git stash ${action} deletes stashed work`)];
    return [write(`git stash ${action} changes the worktree`)];
  },
  tag: (args) =>
    positionals(args).length === 0 || hasFlag(args, "l", ["list"])
      ? [read("git tag only lists tags")]
      : [write("git tag changes tags")],
  remote: (args) =>
    positionals(args).length === 0 || ["show", "get-url"].includes(positionals(args)[0]?.value ?? "")
      ? [read("git remote only lists remotes")]
      : [write("git remote changes remotes")],
  config: (args) =>
    hasFlag(args, "l", ["get", "get-all", "list", "get-regexp"]) || positionals(args).length <= 1
      ? [read("git config only reads settings")]
      : [write("git config changes settings")],
  reflog: (args) =>
    ["expire", "delete"].includes(positionals(args)[0]?.value ?? "")
      ? [destructive("git reflog expire drops the history that recovers lost commits")]
      : [read("git reflog only reads")],
  gc: (args) =>
    args.some((arg) => arg.value.startsWith("--prune"))
      ? [destructive("git gc --prune deletes unreachable commits")]
      : [write("git gc repacks the repository")],
  "filter-branch": () => [destructive("git filter-branch rewrites history")],
  "filter-repo": () => [destructive("git filter-repo rewrites history")],
  worktree: (args) =>
    positionals(args)[0]?.value === "list"
      ? [read("git worktree list only reads")]
      : [write("git worktree changes worktrees")],
};

export const git: CommandRule = ({ args }) => {
  const subcommandIndex = args.findIndex((arg, index) => {
    const previous = args[index - 1];
    return !arg.value.startsWith("-") && !(previous && globalValueOptions.has(previous.value));
  });
  const subcommand = args[subcommandIndex];
  if (!subcommand) return [read("git without a subcommand only prints help")];
  if (!subcommand.literal) return [write(`git ${subcommand.value} is only known at run time`)];
  const rest = args.slice(subcommandIndex + 1);
  const rule = subcommandRules[subcommand.value];
  if (rule) return rule(rest);
  if (readSubcommands.has(subcommand.value)) return [read(`git ${subcommand.value} only reads`)];
  return [write(`git ${subcommand.value} changes the repository`)];
};
