import { ShellScanner } from "./shell-scanner.ts";
import type {
  AndOrList,
  Command,
  CompoundCommand,
  Pipeline,
  Redirect,
  Script,
  SimpleCommand,
  Word,
} from "./shell-syntax-tree.ts";
import { describeToken, isOp, reservedWord, ShellSyntaxError } from "./shell-tokens.ts";

/**
 * A recursive-descent reading of bash's grammar, down to the structure the risk walker
 * needs. It runs only on text that mvdan/sh (via sh-syntax) has already accepted, so it can
 * be lenient about errors; where it still cannot follow, it throws and the caller fails safe.
 */
export function parseShell(source: string): Script {
  return parseNested(new ShellScanner(source, parseNested), undefined);
}

function parseNested(scanner: ShellScanner, closing: ")" | undefined): Script {
  const script = parseScript(scanner, noStops);
  const end = scanner.next();
  const expected = closing === undefined ? end.type === "eof" : end.type === "op" && end.value === ")";
  if (!expected) throw new ShellSyntaxError(`unexpected ${describeToken(end)}`);
  return script;
}

const noStops: ReadonlySet<string> = new Set();
const listSeparators = new Set([";", "&", "\n"]);
const caseItemEnds = new Set([";;", ";&", ";;&"]);
const assignment = /^[A-Za-z_][A-Za-z0-9_]*(\[[^\]]*\])?\+?=/;

function parseScript(scanner: ShellScanner, stops: ReadonlySet<string>): Script {
  const lists: AndOrList[] = [];
  for (;;) {
    skipNewlines(scanner);
    const token = scanner.peek();
    if (token.type === "eof") break;
    if (token.type === "op" && (token.value === ")" || caseItemEnds.has(token.value))) break;
    const reserved = reservedWord(token);
    if (reserved !== undefined && stops.has(reserved)) break;
    lists.push(parseAndOr(scanner));
    const separator = scanner.peek();
    if (separator.type !== "op" || !listSeparators.has(separator.value)) break;
    scanner.next();
  }
  return { lists };
}

function parseAndOr(scanner: ShellScanner): AndOrList {
  const pipelines = [parsePipeline(scanner)];
  while (isOp(scanner.peek(), "&&", "||")) {
    scanner.next();
    skipNewlines(scanner);
    pipelines.push(parsePipeline(scanner));
  }
  return { pipelines };
}

function parsePipeline(scanner: ShellScanner): Pipeline {
  // `time` is a keyword that times a whole pipeline (`time (a; b)`), so it is no program here.
  for (
    let word = reservedWord(scanner.peek());
    word === "!" || word === "time";
    word = reservedWord(scanner.peek())
  ) {
    scanner.next();
    if (word === "time" && reservedWord(scanner.peek()) === "-p") scanner.next();
  }
  const commands = [parseCommand(scanner)];
  while (isOp(scanner.peek(), "|", "|&")) {
    scanner.next();
    skipNewlines(scanner);
    commands.push(parseCommand(scanner));
  }
  return { commands };
}

function parseCommand(scanner: ShellScanner): Command {
  const token = scanner.peek();
  let compound: CompoundCommand;
  if (isOp(token, "(")) {
    scanner.next();
    if (scanner.peekChar() === "(") {
      scanner.skipChar();
      compound = createCompound("arithmetic", [], [scanner.readArithmetic()]);
    } else {
      const body = parseScript(scanner, noStops);
      expectOp(scanner, ")");
      compound = createCompound("subshell", [body]);
    }
  } else {
    switch (reservedWord(token)) {
      case "{":
        scanner.next();
        compound = createCompound("group", [parseScript(scanner, new Set(["}"]))]);
        expectReserved(scanner, "}");
        break;
      case "if":
        compound = parseIf(scanner);
        break;
      case "while":
      case "until":
        scanner.next();
        compound = createCompound("while", parseLoopParts(scanner, ["do"]));
        break;
      case "for":
      case "select":
        compound = parseFor(scanner);
        break;
      case "case":
        compound = parseCase(scanner);
        break;
      case "function":
        scanner.next();
        compound = parseFunctionBody(scanner, expectWord(scanner));
        break;
      case "[[":
        compound = parseTest(scanner);
        break;
      default:
        return parseSimple(scanner);
    }
  }
  while (scanner.peek().type === "redirect") compound.redirects.push(parseRedirect(scanner));
  return compound;
}

function parseSimple(scanner: ShellScanner): Command {
  const command: SimpleCommand = { kind: "simple", assignments: [], words: [], redirects: [] };
  for (;;) {
    const token = scanner.peek();
    if (token.type === "redirect") {
      command.redirects.push(parseRedirect(scanner));
    } else if (token.type === "word") {
      scanner.next();
      const first = token.word.parts[0];
      const isAssignment = first?.kind === "literal" && !first.quoted && assignment.test(first.value);
      if (command.words.length === 0 && isAssignment) command.assignments.push(token.word);
      else command.words.push(token.word);
      const onlyName =
        command.words.length === 1 && command.assignments.length + command.redirects.length === 0;
      if (onlyName && isOp(scanner.peek(), "(")) return parseFunctionBody(scanner, token.word);
    } else break;
  }
  if (command.words.length + command.assignments.length + command.redirects.length === 0) {
    throw new ShellSyntaxError(`unexpected ${describeToken(scanner.peek())}`);
  }
  return command;
}

function parseRedirect(scanner: ShellScanner): Redirect {
  const token = scanner.next();
  if (token.type !== "redirect") throw new ShellSyntaxError(`unexpected ${describeToken(token)}`);
  const redirect: Redirect = { op: token.op, fd: token.fd, target: expectWord(scanner), heredoc: undefined };
  if (token.op === "<<" || token.op === "<<-") scanner.registerHeredoc(redirect, token.op === "<<-");
  return redirect;
}

function parseIf(scanner: ShellScanner): CompoundCommand {
  scanner.next();
  const bodies = [parseScript(scanner, new Set(["then"]))];
  expectReserved(scanner, "then");
  bodies.push(parseScript(scanner, new Set(["elif", "else", "fi"])));
  for (;;) {
    const reserved = reservedWord(scanner.next());
    if (reserved === "fi") break;
    if (reserved === "elif") {
      bodies.push(parseScript(scanner, new Set(["then"])));
      expectReserved(scanner, "then");
      bodies.push(parseScript(scanner, new Set(["elif", "else", "fi"])));
    } else if (reserved === "else") {
      bodies.push(parseScript(scanner, new Set(["fi"])));
    } else throw new ShellSyntaxError("if without fi");
  }
  return createCompound("if", bodies);
}

/** `cond; do body; done` for while/until, or just `do body; done` (or `{ body; }`) for for-loops. */
function parseLoopParts(scanner: ShellScanner, prefix: ["do"] | []): Script[] {
  const bodies = prefix.length > 0 ? [parseScript(scanner, new Set(["do"]))] : [];
  const opening = reservedWord(scanner.next());
  if (opening === "{" && prefix.length === 0) {
    bodies.push(parseScript(scanner, new Set(["}"])));
    expectReserved(scanner, "}");
    return bodies;
  }
  if (opening !== "do") throw new ShellSyntaxError("loop without do");
  bodies.push(parseScript(scanner, new Set(["done"])));
  expectReserved(scanner, "done");
  return bodies;
}

function parseFor(scanner: ShellScanner): CompoundCommand {
  scanner.next();
  const words: Word[] = [];
  if (isOp(scanner.peek(), "(") && scanner.peekChar() === "(") {
    scanner.next();
    scanner.skipChar();
    words.push(scanner.readArithmetic());
  } else {
    expectWord(scanner);
    skipNewlines(scanner);
    if (reservedWord(scanner.peek()) === "in") {
      scanner.next();
      for (let token = scanner.peek(); token.type === "word"; token = scanner.peek()) {
        words.push(token.word);
        scanner.next();
      }
    }
  }
  while (isOp(scanner.peek(), ";", "\n")) scanner.next();
  return createCompound("for", parseLoopParts(scanner, []), words);
}

function parseCase(scanner: ShellScanner): CompoundCommand {
  scanner.next();
  const words = [expectWord(scanner)];
  const bodies: Script[] = [];
  skipNewlines(scanner);
  expectReserved(scanner, "in");
  for (;;) {
    skipNewlines(scanner);
    if (reservedWord(scanner.peek()) === "esac") break;
    if (isOp(scanner.peek(), "(")) scanner.next();
    words.push(expectWord(scanner));
    while (isOp(scanner.peek(), "|")) {
      scanner.next();
      words.push(expectWord(scanner));
    }
    expectOp(scanner, ")");
    bodies.push(parseScript(scanner, new Set(["esac"])));
    const end = scanner.peek();
    if (end.type === "op" && caseItemEnds.has(end.value)) scanner.next();
    else if (reservedWord(end) !== "esac") throw new ShellSyntaxError(`unexpected ${describeToken(end)}`);
  }
  scanner.next();
  return createCompound("case", bodies, words);
}

function parseFunctionBody(scanner: ShellScanner, name: Word): CompoundCommand {
  if (isOp(scanner.peek(), "(")) {
    scanner.next();
    expectOp(scanner, ")");
  }
  skipNewlines(scanner);
  const body = parseCommand(scanner);
  return createCompound("function", [{ lists: [{ pipelines: [{ commands: [body] }] }] }], [name]);
}

/** `[[ … ]]` only tests, but its operands expand, so substitutions inside still run. */
function parseTest(scanner: ShellScanner): CompoundCommand {
  scanner.next();
  const words: Word[] = [];
  for (;;) {
    const token = scanner.next();
    if (token.type === "eof") throw new ShellSyntaxError("[[ without ]]");
    if (reservedWord(token) === "]]") break;
    if (token.type === "word") words.push(token.word);
  }
  return createCompound("test", [], words);
}

function createCompound(
  construct: CompoundCommand["construct"],
  bodies: Script[],
  words: Word[] = [],
): CompoundCommand {
  return { kind: "compound", construct, bodies, words, redirects: [] };
}

function skipNewlines(scanner: ShellScanner): void {
  while (isOp(scanner.peek(), "\n")) scanner.next();
}

function expectOp(scanner: ShellScanner, value: string): void {
  const token = scanner.next();
  if (!isOp(token, value)) throw new ShellSyntaxError(`expected ${value}, found ${describeToken(token)}`);
}

function expectReserved(scanner: ShellScanner, value: string): void {
  skipNewlines(scanner);
  const token = scanner.next();
  if (reservedWord(token) !== value)
    throw new ShellSyntaxError(`expected ${value}, found ${describeToken(token)}`);
}

function expectWord(scanner: ShellScanner): Word {
  const token = scanner.next();
  if (token.type !== "word") throw new ShellSyntaxError(`expected a word, found ${describeToken(token)}`);
  return token.word;
}
