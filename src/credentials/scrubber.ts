/**
 * Removes secrets from text leaving the sandbox (command output, file reads, error messages)
 * before it reaches the model, the chat or the logs. Besides the secret itself it covers the
 * encodings a command is likely to print: URL-encoding, hex, and base64 — also base64 of the
 * secret inside a longer stream (`echo "x$TOKEN" | base64`, git's `x-access-token:<t>` basic
 * auth), where the secret starts at byte offset 0, 1 or 2 of a 3-byte group.
 */

export const redacted = "[redacted]";

/**
 * Secrets shorter than this are ignored: real OAuth tokens are 20+ characters, and scrubbing a
 * short value would redact ordinary words and numbers all over the output (and, by what it
 * redacts, tell the reader what the secret is).
 */
export const minimumSecretLength = 8;

export interface Scrubber {
  scrub(text: string): string;
  /** Longest text a match can span; a streaming caller holds back this many characters. */
  readonly maxMatchLength: number;
}

export function createScrubber(secrets: readonly string[]): Scrubber {
  const forms = new Set<string>();
  const base64Forms = new Set<string>();
  for (const secret of new Set(secrets)) {
    if (secret.length < minimumSecretLength) continue;
    for (const form of plainForms(secret)) forms.add(form);
    for (const form of base64Variants(secret)) base64Forms.add(form);
  }
  const patterns = [
    ...[...forms].map((form) => ({ length: form.length, source: escapeRegExp(form) })),
    // `base64` wraps lines at 76 characters, so a line break may fall anywhere inside.
    ...[...base64Forms].map((form) => ({
      length: form.length * 3,
      source: [...form].map(escapeRegExp).join("(?:\\r?\\n)?"),
    })),
  ]
    // Longest first, so a full encoding wins over the core it contains.
    .sort((a, b) => b.length - a.length);
  if (patterns.length === 0) return { scrub: (text) => text, maxMatchLength: 0 };
  const pattern = new RegExp(patterns.map((p) => p.source).join("|"), "g");
  const maxMatchLength = Math.max(...patterns.map((p) => p.length));
  return { scrub: (text) => text.replace(pattern, redacted), maxMatchLength };
}

/**
 * For output that arrives in chunks: a secret split across two chunks is caught because the last
 * `maxMatchLength` characters wait for the next chunk (or `end`). Prefer scrubbing whole outputs.
 */
export function createStreamScrubber(secrets: readonly string[]): {
  push(chunk: string): string;
  end(): string;
} {
  const scrubber = createScrubber(secrets);
  let pending = "";
  return {
    push(chunk) {
      const text = scrubber.scrub(pending + chunk);
      // Re-scrubbing the held-back tail is harmless: "[redacted]" contains no secret.
      const cut = Math.max(0, text.length - scrubber.maxMatchLength);
      pending = text.slice(cut);
      return text.slice(0, cut);
    },
    end() {
      const text = scrubber.scrub(pending);
      pending = "";
      return text;
    },
  };
}

function plainForms(secret: string): string[] {
  const bytes = Buffer.from(secret, "utf8");
  const hex = bytes.toString("hex");
  return [
    secret,
    encodeURIComponent(secret),
    encodeURIComponent(secret).replaceAll("%20", "+"),
    JSON.stringify(secret).slice(1, -1),
    hex,
    hex.toUpperCase(),
  ];
}

// Prefixes the secret commonly travels behind in base64: HTTP basic auth as git and curl build it.
const base64Prefixes = ["x-access-token:", "oauth2:", "git:", "token:", "user:"];

function base64Variants(secret: string): string[] {
  const bytes = Buffer.from(secret, "utf8");
  const whole = [bytes, ...base64Prefixes.map((prefix) => Buffer.from(prefix + secret, "utf8"))];
  const full = whole.map((value) => value.toString("base64"));
  const cores = [0, 1, 2].map((offset) => base64Core(bytes, offset));
  return [...full, ...full.map((value) => value.replace(/=+$/, "")), ...cores]
    .filter((form) => form.length >= minimumSecretLength)
    .flatMap((form) => [form, form.replaceAll("+", "-").replaceAll("/", "_")]);
}

/**
 * The base64 characters that depend only on the secret when it starts `offset` bytes into a
 * 3-byte group: the first group (mixed with whatever precedes) and the last partial group
 * (mixed with whatever follows) are dropped. At most 2 bytes at each end stay visible.
 */
function base64Core(bytes: Buffer, offset: number): string {
  const padded = Buffer.concat([Buffer.alloc(offset), bytes]);
  const encoded = padded.toString("base64");
  const firstGroup = offset === 0 ? 0 : 1;
  const fullGroups = Math.floor(padded.length / 3);
  return encoded.slice(firstGroup * 4, fullGroups * 4);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
