import { describe, expect, it } from "vitest";
import { createScrubber, createStreamScrubber, redacted } from "../../src/credentials/scrubber.ts";

const token = "gho_16C7e42F292c6912E7710c838347Ae178B4a";
const b64 = (text: string) => Buffer.from(text).toString("base64");
const b64url = (text: string) => Buffer.from(text).toString("base64url");

/** True when a 12-character window of the secret, or of its base64 at any alignment, survives in `text`. */
function leaks(text: string, secret: string): boolean {
  const aligned = ["", "x", "xy"].map((pad) => b64(pad + secret).slice(pad ? 4 : 0));
  const forms = [
    secret,
    ...aligned,
    ...aligned.map((form) => form.replaceAll("+", "-").replaceAll("/", "_")),
  ];
  return forms.some((form) => {
    for (let i = 0; i + 12 <= form.length; i++) if (text.includes(form.slice(i, i + 12))) return true;
    return false;
  });
}

describe("the scrubber", () => {
  const { scrub } = createScrubber([token]);

  it("replaces the secret wherever it appears, keeping the text around it", () => {
    expect(scrub(`GH_TOKEN=${token}\nok ${token}.`)).toBe(`GH_TOKEN=${redacted}\nok ${redacted}.`);
  });

  it("replaces URL-encoded, JSON-escaped and hex forms, lower and upper case", () => {
    const odd = "s3cr3t/with+chars=&and space";
    const oddScrub = createScrubber([odd]).scrub;
    expect(oddScrub(`q=${encodeURIComponent(odd)}`)).toBe(`q=${redacted}`);
    expect(oddScrub(`q=${encodeURIComponent(odd).replaceAll("%20", "+")}`)).toBe(`q=${redacted}`);
    expect(oddScrub(JSON.stringify({ t: odd }))).toBe(`{"t":"${redacted}"}`);
    const hex = Buffer.from(token).toString("hex");
    expect(scrub(`${hex} ${hex.toUpperCase()}`)).toBe(`${redacted} ${redacted}`);
  });

  it("replaces standard and URL-safe base64, with and without padding", () => {
    const secret = "ab?>~~?>xyz12"; // chosen so its base64 has + and / and padding
    const s = createScrubber([secret]).scrub;
    expect(b64(secret)).toMatch(/[+/]/);
    for (const form of [b64(secret), b64(secret).replace(/=+$/, ""), b64url(secret), `${b64url(secret)}=`]) {
      expect(leaks(s(`value: ${form} end`), secret), form).toBe(false);
    }
  });

  it("replaces the base64 of git's basic-auth credentials", () => {
    for (const user of ["x-access-token", "oauth2", "user"]) {
      const header = `Authorization: Basic ${b64(`${user}:${token}`)}`;
      expect(scrub(header)).toBe(`Authorization: Basic ${redacted}`);
    }
  });

  it("catches the secret's base64 inside a longer stream at byte offsets 0, 1 and 2", () => {
    for (const prefix of ["", "x", "xy", "xyz", "AUTH=", "some longer preamble: "]) {
      for (const suffix of ["", "\n", "!", "?? trailing bytes"]) {
        const stream = b64(`${prefix}${token}${suffix}`);
        expect(leaks(stream, token)).toBe(true);
        const out = scrub(`echo | base64 → ${stream}`);
        expect(out, `${JSON.stringify(prefix)} + token + ${JSON.stringify(suffix)}`).toContain(redacted);
        expect(leaks(out, token)).toBe(false);
        expect(leaks(scrub(b64url(`${prefix}${token}${suffix}`)), token)).toBe(false);
      }
    }
  });

  it("catches base64 that `base64` wrapped across lines", () => {
    const wrapped = b64(`${"x".repeat(40)}${token}${"y".repeat(40)}`).replace(/(.{76})/g, "$1\n");
    expect(wrapped.split("\n").length).toBeGreaterThan(1);
    expect(leaks(scrub(wrapped).replaceAll("\n", ""), token)).toBe(false);
  });

  it("ignores secrets shorter than 8 characters and leaves unrelated text alone", () => {
    expect(createScrubber(["abc", "1234567"]).scrub("abc 1234567")).toBe("abc 1234567");
    expect(scrub("nothing to see, gho_ is just a prefix")).toBe("nothing to see, gho_ is just a prefix");
  });

  it("scrubs several secrets at once", () => {
    const other = "glpat-AbCdEfGhIjKlMnOpQrSt";
    expect(createScrubber([token, other]).scrub(`${other}:${token}`)).toBe(`${redacted}:${redacted}`);
  });

  it("catches a secret split across two stream chunks", () => {
    const stream = createStreamScrubber([token]);
    const text = `before ${token} middle ${b64(`x${token}`)} after`;
    let out = "";
    for (let i = 0; i < text.length; i += 7) out += stream.push(text.slice(i, i + 7));
    out += stream.end();
    expect(out.startsWith("before [redacted] middle ")).toBe(true);
    expect(out.endsWith(" after")).toBe(true);
    expect(leaks(out, token)).toBe(false);
  });
});
