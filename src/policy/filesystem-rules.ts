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
  write,
  writes,
} from "./rule-helpers.ts";

/**
 * rm of explicit files is a write (the agent named what goes); recursion, a glob or an
 * unquoted expansion removes an unknown number of paths, and nothing but the checkpoint
 * brings them back, so those are destructive.
 */
const rm: CommandRule = ({ args }) => {
  if (hasFlag(args, "rR", ["recursive"])) return [destructive("rm -r removes a directory tree")];
  const targets = positionals(args);
  if (targets.some((arg) => arg.many)) {
    return [destructive("rm with a glob or a run-time list removes every match")];
  }
  return [write(`rm removes ${targets.length === 1 ? "a file" : `${targets.length} files`}`)];
};

const find: CommandRule = ({ args }) => {
  const effects: Effect[] = [];
  for (const [index, arg] of args.entries()) {
    if (!arg.literal) continue;
    if (arg.value === "-delete") effects.push(destructive("find -delete removes every match"));
    if (["-fprint", "-fprint0", "-fprintf", "-fls"].includes(arg.value)) {
      effects.push(write(`find ${arg.value} writes a file`));
    }
    if (["-exec", "-execdir", "-ok", "-okdir"].includes(arg.value)) {
      const rest = args.slice(index + 1);
      const end = rest.findIndex(
        (candidate) => candidate.literal && (candidate.value === ";" || candidate.value === "+"),
      );
      const command = (end < 0 ? rest : rest.slice(0, end)).map((candidate) =>
        // `{}` stands for every match, so a rule sees it as many paths at once.
        candidate.value.includes("{}") ? { ...candidate, many: true } : candidate,
      );
      if (command.length > 0) effects.push({ kind: "runs", args: command });
    }
  }
  return effects.length > 0 ? effects : [read("find only reads")];
};

function recursiveOwnership(program: string): CommandRule {
  return ({ args }) =>
    hasFlag(args, "R", ["recursive"])
      ? [destructive(`${program} -R changes a whole tree`)]
      : [write(`${program} changes file permissions or owners`)];
}

/** A trailing `/` means "into this directory", which never replaces a file. */
function replacesFile(destination: Arg | undefined): destination is Arg {
  if (!destination) return false;
  return destination.literal && !destination.many && !destination.value.endsWith("/");
}

const mv: CommandRule = ({ args }) => {
  const paths = positionals(args, new Set(["-t", "--target-directory", "-S", "--suffix"]));
  const effects: Effect[] = [write("mv moves or renames files")];
  const intoDirectory = optionValue(args, "t", "target-directory") !== undefined;
  const destination = paths.at(-1);
  if (
    !intoDirectory &&
    !hasFlag(args, "n", ["no-clobber"]) &&
    paths.length === 2 &&
    replacesFile(destination)
  ) {
    effects.push({ kind: "may-overwrite", path: destination.value, verb: "mv replaces" });
  }
  return effects;
};

const tee: CommandRule = ({ args }) => {
  const appends = hasFlag(args, "a", ["append"]);
  const effects: Effect[] = [];
  for (const file of positionals(args)) {
    if (file.value.startsWith("/dev/")) continue;
    if (appends || !file.literal) effects.push(write(`tee writes to ${file.value}`));
    else effects.push({ kind: "may-overwrite", path: file.value, verb: "tee overwrites" });
  }
  return effects.length > 0 ? effects : [read("tee with no file only passes its input on")];
};

const sed: CommandRule = ({ args }) =>
  args.some((arg) => /^(-i|--in-place)/.test(arg.value) || /^-[a-zA-Z]*i/.test(arg.value))
    ? [write("sed -i edits files in place")]
    : [read("sed without -i only prints")];

const tar: CommandRule = ({ args }) => {
  const [mode = ""] = args.map((arg) => arg.value);
  if (/^-?[a-zA-Z]*t/.test(mode) || hasFlag(args, "t", ["list"]))
    return [read("tar -t only lists an archive")];
  return [write("tar creates or extracts files")];
};

const rsync: CommandRule = ({ args }) =>
  args.some((arg) => arg.value.startsWith("--delete") || arg.value === "--remove-source-files")
    ? [destructive("rsync --delete removes files missing from the source")]
    : [write("rsync copies files")];

/** awk only writes through `system()`, `print > file` or a pipe; otherwise it reads. */
const awk: CommandRule = ({ args }) => {
  const program = positionals(args, new Set(["-F", "-v", "-f"]))[0]?.value ?? "";
  if (optionValue(args, "f", "file") !== undefined)
    return [write("awk -f runs a program the classifier cannot see")];
  return /system\s*\(|>|\|/.test(program)
    ? [write("awk program runs commands or writes files")]
    : [read("awk only reads")];
};

const dd: CommandRule = ({ args }) =>
  args.some((arg) => arg.value.startsWith("of="))
    ? [destructive("dd of=… overwrites its output block by block")]
    : [write("dd copies raw data")];

export const filesystemRules: Record<string, CommandRule> = {
  rm,
  find,
  mv,
  tee,
  sed,
  tar,
  rsync,
  awk,
  gawk: awk,
  dd,
  chmod: recursiveOwnership("chmod"),
  chown: recursiveOwnership("chown"),
  chgrp: recursiveOwnership("chgrp"),
  shred: destroys("shred overwrites files beyond recovery"),
  truncate: destroys("truncate cuts a file's contents"),
  wipefs: destroys("wipefs erases filesystem signatures"),
  fdisk: destroys("fdisk rewrites a partition table"),
  sfdisk: destroys("sfdisk rewrites a partition table"),
  gdisk: destroys("gdisk rewrites a partition table"),
  parted: destroys("parted rewrites a partition table"),
  mkswap: destroys("mkswap formats a device"),
  blkdiscard: destroys("blkdiscard discards every block of a device"),
  cp: writes("cp copies files (and may replace existing ones)"),
  touch: writes("touch creates or updates files"),
  mkdir: writes("mkdir creates directories"),
  rmdir: writes("rmdir removes empty directories"),
  unlink: writes("unlink removes a file"),
  ln: writes("ln creates links"),
  install: writes("install copies files into place"),
  mktemp: writes("mktemp creates a temporary file"),
  gzip: writes("gzip replaces files with compressed ones"),
  gunzip: writes("gunzip replaces files with decompressed ones"),
  zip: writes("zip writes an archive"),
  unzip: writes("unzip extracts files"),
  patch: writes("patch edits files"),
  scp: writes("scp copies files"),
};
