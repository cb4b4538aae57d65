import { expect, it } from "vitest";
import { alice, startCredentialsHarness } from "./credentials-harness.ts";

function encodings(secret: string): string[] {
  const bytes = Buffer.from(secret);
  return [
    secret,
    bytes.toString("base64").replace(/=+$/, ""),
    bytes.toString("base64url"),
    bytes.toString("hex"),
    bytes.toString("hex").toUpperCase(),
    encodeURIComponent(secret),
  ];
}

it("keeps no token in Redis in plain text, base64 or hex after linking, using and refreshing", async () => {
  const harness = await startCredentialsHarness({ expiresIn: 30 });
  try {
    const sentinel = "gho_SENTINEL_c0ffee_0123456789abcdefABCDEF";
    harness.fake.issueNextAccessToken(sentinel);
    const page = await harness.link(alice);
    expect(page.html).not.toContain(sentinel);
    const linked = await harness.vault.load(alice, "github");
    expect(linked?.accessToken).toBe(sentinel);

    harness.fake.setExpiresIn(3600);
    const resolved = await harness.broker.resolve({ owner: alice, providers: ["github"] });
    if (!resolved.ok) throw new Error("expected a token");
    expect(harness.fake.refreshCount).toBe(1);
    const refreshed = await harness.vault.load(alice, "github");

    const secrets = [sentinel, linked?.refreshToken, refreshed?.accessToken, refreshed?.refreshToken].filter(
      (value): value is string => typeof value === "string",
    );
    expect(secrets).toHaveLength(4);
    const dump = (await harness.redisDump()).join("\n");
    expect(dump).toContain(`${harness.prefix}:vault:`);
    expect(dump).toContain("th1.");
    for (const secret of secrets) {
      for (const form of encodings(secret))
        expect(dump.includes(form), `${form.slice(0, 8)}… in Redis`).toBe(false);
    }
  } finally {
    await harness.close();
  }
});
