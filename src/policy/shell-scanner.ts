import { literalValue, type Redirect, type Script, type Word, type WordPart } from "./shell-syntax-tree.ts";
import {
  appendLiteral,
  balancedParensEnd,
  decodeAnsiC,
  readBacktickContent,
  readHeredocBody,
} from "./shell-text.ts";
import { ShellSyntaxError, type Token } from "./shell-tokens.ts";

/** Parses a script from the scanner's position; with `closing`, up to and through that `)`. */
export type NestedScriptParser = (scanner: ShellScanner, closing: ")" | undefined) => Script;

interface PendingHeredoc {
  redirect: Redirect;
  delimiter: string;
  expands: boolean;
  stripsTabs: boolean;
}

const operators = [";;&", ";;", ";&", ";", "&&", "&", "||", "|&", "|", "(", ")"];
const redirectOperators = ["&>>", "&>", "<<<", "<<-", "<<", "<>", "<&", "<", ">>", ">&", ">|", ">"];
const wordEnd = new Set([" ", "\t", "\n", ";", "&", "|", "(", ")", "<", ">"]);
const arrayAssignment = /^[A-Za-z_][A-Za-z0-9_]*(\[[^\]]*\])?\+?=$/;

/**
 * Bash's lexing is context dependent (here-documents start after the next newline, `$(`
 * nests a whole script), so the scanner holds the position and hands nested scripts back to
 * the parser through `parseNested` instead of producing a flat token list up front.
 */
export class ShellScanner {
  private index = 0;
  private lookahead: Token | undefined;
  private readonly pendingHeredocs: PendingHeredoc[] = [];
  private readonly source: string;
  private readonly parseNested: NestedScriptParser;

  constructor(source: string, parseNested: NestedScriptParser) {
    this.source = source;
    this.parseNested = parseNested;
  }

  peek(): Token {
    this.lookahead ??= this.lex();
    return this.lookahead;
  }

  next(): Token {
    const token = this.peek();
    this.lookahead = undefined;
    return token;
  }

  /** The character right after the last token, to tell `((` from `( (`. */
  peekChar(): string | undefined {
    return this.source[this.index];
  }

  skipChar(): void {
    this.index += 1;
  }

  registerHeredoc(redirect: Redirect, stripsTabs: boolean): void {
    // Bash takes an expanding delimiter (`<<$END`) literally, so its source text is the delimiter.
    const delimiter = literalValue(redirect.target) ?? redirect.target.raw;
    const quoted = redirect.target.parts.some((part) => part.kind === "literal" && part.quoted);
    this.pendingHeredocs.push({ redirect, delimiter, expands: !quoted, stripsTabs });
  }

  /** `$((…))` and `((…))` bodies after their opening parens: opaque, but substitutions still run. */
  readArithmetic(quoted = false): Word {
    const start = this.index;
    const parts: WordPart[] = [];
    let depth = 2;
    while (depth > 0) {
      const char = this.source[this.index];
      if (char === undefined) throw new ShellSyntaxError("unclosed arithmetic expression");
      if (char === "$" || char === "`") {
        this.readDollarOrBacktick(parts);
        continue;
      }
      if (char === "(") depth += 1;
      if (char === ")") depth -= 1;
      this.index += 1;
    }
    const raw = this.source.slice(start, this.index - 2);
    const scripts = parts.flatMap((part) => (part.kind === "substitution" ? [part.script] : []));
    return { raw, parts: [{ kind: "expansion", raw: `((${raw}))`, scripts, quoted }] };
  }

  /** Double-quoted text, or (without a terminator) a whole unquoted here-document body. */
  readQuoted(terminator: '"' | undefined): WordPart[] {
    const parts: WordPart[] = [];
    for (;;) {
      const char = this.source[this.index];
      if (char === undefined) {
        if (terminator) throw new ShellSyntaxError("reached the end without a closing quote");
        return parts;
      }
      if (char === terminator) {
        this.index += 1;
        return parts;
      }
      if (char === "\\") {
        const escaped = this.source[this.index + 1] ?? "";
        const special = escaped === "$" || escaped === "`" || escaped === "\\" || escaped === terminator;
        if (escaped !== "\n") appendLiteral(parts, special ? escaped : `\\${escaped}`, true);
        this.index += 2;
      } else if (char === "$" || char === "`") {
        this.readDollarOrBacktick(parts, true);
      } else {
        appendLiteral(parts, char, true);
        this.index += 1;
      }
    }
  }

  private lex(): Token {
    this.skipBlanks();
    const char = this.source[this.index];
    if (char === undefined) return { type: "eof" };
    if (char === "\n") {
      this.index += 1;
      this.readHeredocBodies();
      return { type: "op", value: "\n" };
    }
    const rest = this.source.slice(this.index, this.index + 3);
    const fd = /^\d+(?=[<>])/.exec(this.source.slice(this.index, this.index + 12))?.[0];
    const afterFd = fd ? this.source.slice(this.index + fd.length, this.index + fd.length + 3) : rest;
    if (!afterFd.startsWith("<(") && !afterFd.startsWith(">(")) {
      const redirect = redirectOperators.find((op) => afterFd.startsWith(op));
      if (redirect && (fd === undefined || !redirect.startsWith("&"))) {
        this.index += (fd?.length ?? 0) + redirect.length;
        return { type: "redirect", op: redirect, fd };
      }
      const op = operators.find((candidate) => rest.startsWith(candidate));
      if (op) {
        this.index += op.length;
        return { type: "op", value: op };
      }
    }
    return { type: "word", word: this.readWord() };
  }

  private skipBlanks(): void {
    for (;;) {
      const char = this.source[this.index];
      if (char === " " || char === "\t") this.index += 1;
      else if (char === "\\" && this.source[this.index + 1] === "\n") this.index += 2;
      else if (char === "#") {
        while (this.index < this.source.length && this.source[this.index] !== "\n") this.index += 1;
      } else return;
    }
  }

  private readWord(): Word {
    const start = this.index;
    const parts: WordPart[] = [];
    for (;;) {
      const char = this.source[this.index];
      const pair = this.source.slice(this.index, this.index + 2);
      if (pair === "<(" || pair === ">(") {
        this.index += 2;
        parts.push({ kind: "substitution", script: this.parseNested(this, ")"), quoted: false });
        continue;
      }
      if (char === undefined || wordEnd.has(char)) break;
      if (char === "\\") {
        const escaped = this.source[this.index + 1];
        if (escaped !== "\n") appendLiteral(parts, escaped ?? "", true);
        this.index += 2;
      } else if (char === "'") {
        const end = this.source.indexOf("'", this.index + 1);
        if (end < 0) throw new ShellSyntaxError("reached the end without a closing quote");
        appendLiteral(parts, this.source.slice(this.index + 1, end), true);
        this.index = end + 1;
      } else if (char === '"') {
        this.index += 1;
        parts.push(...this.readQuoted('"'));
      } else if (char === "$" || char === "`") {
        this.readDollarOrBacktick(parts);
      } else if (pair[1] === "(" && "@!+*?".includes(char)) {
        appendLiteral(parts, this.readBalancedParens(), false);
      } else if (char === "=" && this.source[this.index + 1] === "(") {
        this.index += 1;
        appendLiteral(parts, "=", false);
        if (arrayAssignment.test(this.source.slice(start, this.index))) this.readArrayElements(parts);
      } else {
        appendLiteral(parts, char, false);
        this.index += 1;
      }
    }
    if (parts.length === 0) throw new ShellSyntaxError(`unexpected character ${this.source[this.index]}`);
    return { raw: this.source.slice(start, this.index), parts };
  }

  private readDollarOrBacktick(parts: WordPart[], inDoubleQuotes = false): void {
    const start = this.index;
    const next = this.source[this.index + 1];
    if (this.source[this.index] === "`") {
      parts.push({ kind: "substitution", script: this.readBackticks(), quoted: inDoubleQuotes });
    } else if (this.source.startsWith("$((", this.index)) {
      this.index += 3;
      const arithmetic = this.readArithmetic(inDoubleQuotes);
      parts.push(...arithmetic.parts);
    } else if (next === "(") {
      this.index += 2;
      parts.push({ kind: "substitution", script: this.parseNested(this, ")"), quoted: inDoubleQuotes });
    } else if (next === "{") {
      this.index += 2;
      const scripts = this.readParameterBraces();
      parts.push({
        kind: "expansion",
        raw: this.source.slice(start, this.index),
        scripts,
        quoted: inDoubleQuotes,
      });
    } else if (next === "'" && !inDoubleQuotes) {
      appendLiteral(parts, this.readAnsiC(), true);
    } else if (next === '"' && !inDoubleQuotes) {
      this.index += 2;
      parts.push(...this.readQuoted('"'));
    } else {
      const name = /^(?:[A-Za-z_][A-Za-z0-9_]*|[0-9@*#?$!-])/.exec(this.source.slice(this.index + 1));
      if (name) {
        this.index += 1 + name[0].length;
        const raw = this.source.slice(start, this.index);
        parts.push({ kind: "expansion", raw, scripts: [], quoted: inDoubleQuotes });
      } else {
        appendLiteral(parts, "$", inDoubleQuotes);
        this.index += 1;
      }
    }
  }

  private readBackticks(): Script {
    const { content, end } = readBacktickContent(this.source, this.index + 1);
    this.index = end;
    return this.parseNested(new ShellScanner(content, this.parseNested), undefined);
  }

  /** `${…}` after its `${`: operators like `:-` may hold quoted text and substitutions. */
  private readParameterBraces(): Script[] {
    const parts: WordPart[] = [];
    for (;;) {
      const char = this.source[this.index];
      if (char === undefined) throw new ShellSyntaxError("reached the end without a closing }");
      if (char === "}") {
        this.index += 1;
        break;
      }
      if (char === "$" || char === "`") this.readDollarOrBacktick(parts);
      else if (char === '"') {
        this.index += 1;
        parts.push(...this.readQuoted('"'));
      } else if (char === "'") {
        const end = this.source.indexOf("'", this.index + 1);
        this.index = end < 0 ? this.source.length : end + 1;
      } else this.index += char === "\\" ? 2 : 1;
    }
    return parts.flatMap((part) => {
      if (part.kind === "substitution") return [part.script];
      return part.kind === "expansion" ? part.scripts : [];
    });
  }

  private readAnsiC(): string {
    const decoded = decodeAnsiC(this.source, this.index + 2);
    this.index = decoded.end;
    return decoded.value;
  }

  /** Extended globs such as `!(*.log)`: kept as unquoted literal text, so they count as globs. */
  private readBalancedParens(): string {
    const start = this.index;
    this.index = balancedParensEnd(this.source, this.index + 1);
    return this.source.slice(start, this.index);
  }

  private readArrayElements(parts: WordPart[]): void {
    this.index += 1;
    appendLiteral(parts, "(", false);
    for (;;) {
      while (/[\s]/.test(this.source[this.index] ?? "")) this.index += 1;
      if (this.source[this.index] === undefined) throw new ShellSyntaxError("unclosed array");
      if (this.source[this.index] === ")") break;
      parts.push(...this.readWord().parts, { kind: "literal", value: " ", quoted: true });
    }
    this.index += 1;
    appendLiteral(parts, ")", false);
  }

  private readHeredocBodies(): void {
    for (const pending of this.pendingHeredocs.splice(0)) {
      const { body, end } = readHeredocBody(this.source, this.index, pending.delimiter, pending.stripsTabs);
      this.index = end;
      const parts = pending.expands
        ? new ShellScanner(body, this.parseNested).readQuoted(undefined)
        : [{ kind: "literal" as const, value: body, quoted: true }];
      pending.redirect.heredoc = { raw: body, parts };
    }
  }
}
