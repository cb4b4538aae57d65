import {
  type Arg,
  type CommandRule,
  commandAfter,
  destructive,
  type Effect,
  hasFlag,
  looksDestructive,
  read,
  runs,
  write,
} from "./rule-helpers.ts";

/**
 * Programs that run another command are as risky as what they run, so their rule only
 * finds the wrapped command line and hands it back to be classified in turn.
 */
function wraps(program: string, valueOptions: string[], skip = 0): CommandRule {
  const options = new Set(valueOptions);
  return ({ args }) => {
    const inner = commandAfter(args, options, skip);
    return inner.length > 0 ? [runs(inner)] : [read(`${program} with no command runs nothing`)];
  };
}

const sudo: CommandRule = (invocation) => {
  if (hasFlag(invocation.args, "e", ["edit"])) return [write("sudo -e edits a file as root")];
  if (hasFlag(invocation.args, "lvk", ["list", "validate"]))
    return [read("sudo -l/-v only checks permissions")];
  return wraps("sudo", ["-u", "-g", "-h", "-p", "-C", "-D", "-r", "-t", "-T", "-U", "--user", "--group"])(
    invocation,
  );
};

/** env's own `NAME=value` operands come before the command; `-S` splits a whole command line. */
const env: CommandRule = ({ args }) => {
  const inner = commandAfter(args, new Set(["-u", "--unset", "-C", "--chdir"]));
  const optionBefore = args[args.length - inner.length - 1]?.value;
  if ((optionBefore === "-S" || optionBefore === "--split-string") && inner.length > 0) {
    return [{ kind: "runs-script", source: inner.map((arg) => arg.value).join(" ") }];
  }
  const start = inner.findIndex((arg) => !(arg.literal && /^[A-Za-z_][A-Za-z0-9_]*=/.test(arg.value)));
  return start < 0 ? [read("env without a command only prints the environment")] : [runs(inner.slice(start))];
};

/** The first non-option operand of `sh -c` is the script; later ones are its `$0`, `$1`, …. */
function shell(program: string): CommandRule {
  return ({ args, stdin }) => {
    const inline = args.some((arg) => arg.literal && /^-[a-zA-Z]*c[a-zA-Z]*$/.test(arg.value));
    const operand = commandAfter(args, new Set(["-o", "+o", "-O", "+O", "--rcfile", "--init-file"]))[0];
    if (inline) {
      if (!operand) return [write(`${program} -c with no script`)];
      if (!operand.literal) return [dynamicScript(program, [operand])];
      return [{ kind: "runs-script", source: operand.value }];
    }
    if (operand)
      return [write(`${program} runs the script file ${operand.value}, which the classifier cannot see`)];
    if (stdin !== undefined) return [{ kind: "runs-script", source: stdin }];
    return [write(`${program} runs commands from standard input that the classifier cannot see`)];
  };
}

function dynamicScript(program: string, args: Arg[]): Effect {
  const text = args.map((arg) => arg.value).join(" ");
  return looksDestructive(args)
    ? destructive(`${program} runs ${text}, known only at run time, and it looks destructive`)
    : write(`${program} runs ${text}, which is only known at run time`);
}

/** eval joins its arguments into one script, which the shell parses again. */
const evaluate: CommandRule = ({ args }) => {
  if (args.length === 0) return [read("eval with nothing to run")];
  if (args.some((arg) => !arg.literal)) return [dynamicScript("eval", args)];
  return [{ kind: "runs-script", source: args.map((arg) => arg.value).join(" ") }];
};

/** xargs appends what it reads to the command, an unknown number of paths. */
const xargs: CommandRule = ({ args }) => {
  const valueOptions = [
    "-n",
    "-L",
    "-P",
    "-s",
    "-d",
    "-E",
    "-I",
    "-a",
    "--max-args",
    "--max-procs",
    "--delimiter",
  ];
  const inner = commandAfter(args, new Set([...valueOptions, "--replace", "--arg-file", "--eof"]));
  const input: Arg = { value: "<input read by xargs>", literal: false, many: true };
  return [
    runs(inner.length > 0 ? [...inner, input] : [{ value: "echo", literal: true, many: false }, input]),
  ];
};

/** ssh hands the rest of its command line to the remote shell as one script. */
const ssh: CommandRule = ({ args }) => {
  const valueOptions = [
    "-p",
    "-i",
    "-l",
    "-o",
    "-F",
    "-J",
    "-L",
    "-R",
    "-D",
    "-E",
    "-b",
    "-c",
    "-e",
    "-m",
    "-O",
    "-S",
    "-W",
    "-w",
  ];
  const remote = commandAfter(args, new Set(valueOptions), 1);
  if (remote.length === 0) return [write("ssh opens a remote session")];
  if (remote.some((arg) => !arg.literal)) return [dynamicScript("ssh", remote)];
  return [{ kind: "runs-script", source: remote.map((arg) => arg.value).join(" ") }];
};

/** watch runs its command through `sh -c` again and again. */
const watch: CommandRule = ({ args }) => {
  const inner = commandAfter(args, new Set(["-n", "--interval", "-d", "--differences"]));
  if (inner.length === 0) return [read("watch with no command runs nothing")];
  if (inner.some((arg) => !arg.literal)) return [dynamicScript("watch", inner)];
  return [{ kind: "runs-script", source: inner.map((arg) => arg.value).join(" ") }];
};

/** trap's first operand is a script the shell runs later (on EXIT, on a signal): it counts now. */
const trap: CommandRule = ({ args }) => {
  const [action] = commandAfter(args, new Set());
  if (!action || action.value === "-" || action.value === "" || args.length < 2)
    return [read("trap only lists or resets handlers")];
  if (!action.literal) return [dynamicScript("trap", [action])];
  return [{ kind: "runs-script", source: action.value }];
};

const command: CommandRule = (invocation) =>
  hasFlag(invocation.args, "vV")
    ? [read("command -v only looks a name up")]
    : wraps("command", [])(invocation);

export const wrapperRules: Record<string, CommandRule> = {
  sudo,
  doas: wraps("doas", ["-u", "-C"]),
  env,
  nohup: wraps("nohup", []),
  time: wraps("time", ["-f", "--format", "-o", "--output"]),
  exec: wraps("exec", ["-a"]),
  nice: wraps("nice", ["-n", "--adjustment"]),
  ionice: wraps("ionice", ["-c", "-n", "-p", "--class", "--classdata"]),
  timeout: wraps("timeout", ["-s", "--signal", "-k", "--kill-after"], 1),
  stdbuf: wraps("stdbuf", ["-i", "-o", "-e"]),
  chroot: wraps("chroot", ["--userspec", "--groups"], 1),
  setsid: wraps("setsid", []),
  unbuffer: wraps("unbuffer", []),
  builtin: wraps("builtin", []),
  command,
  xargs,
  eval: evaluate,
  ssh,
  watch,
  trap,
  bash: shell("bash"),
  sh: shell("sh"),
  zsh: shell("zsh"),
  dash: shell("dash"),
  ksh: shell("ksh"),
  ash: shell("ash"),
  source: ({ args }) => [
    write(`source runs ${args[0]?.value ?? "a script"}, which the classifier cannot see`),
  ],
  ".": ({ args }) => [write(`. runs ${args[0]?.value ?? "a script"}, which the classifier cannot see`)],
};
