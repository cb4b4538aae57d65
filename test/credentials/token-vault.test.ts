import { describe, expect, it } from "vitest";
import { loadVaultKeys, parseSecretKey } from "../../src/credentials/secret-key.ts";
import { createTokenVault } from "../../src/credentials/token-vault.ts";
import { AppError } from "../../src/errors.ts";
import { alice, bob, randomKey, startCredentialsHarness } from "./credentials-harness.ts";

function thrownBy(run: () => unknown): AppError {
  try {
    run();
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error("expected an AppError");
}

async function rejectedBy(promise: Promise<unknown>): Promise<AppError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  if (error instanceof AppError) return error;
  throw new Error(`expected an AppError, got ${String(error)}`);
}

describe("the secret key", () => {
  it("accepts 32 bytes as hex, base64 and base64url", () => {
    const bytes = Buffer.alloc(32, 7);
    for (const text of [bytes.toString("hex"), bytes.toString("base64"), bytes.toString("base64url")]) {
      expect(parseSecretKey(text).bytes.equals(bytes)).toBe(true);
    }
  });

  it("names the variable and never prints the value when it is missing or malformed", () => {
    expect(thrownBy(() => loadVaultKeys({})).code).toBe("config_secret_key_missing");
    expect(thrownBy(() => loadVaultKeys({})).message).toContain("THREADHANDS_SECRET_KEY");
    const malformed = "hunter2-this-is-not-a-32-byte-key";
    const error = thrownBy(() => loadVaultKeys({ THREADHANDS_SECRET_KEY: malformed }));
    expect(error.code).toBe("config_secret_key_invalid");
    expect(error.message).not.toContain(malformed);
    const short = Buffer.alloc(31).toString("hex");
    expect(thrownBy(() => parseSecretKey(short)).message).not.toContain(short);
    const badOld = thrownBy(() =>
      loadVaultKeys({ THREADHANDS_SECRET_KEY: randomKey(), THREADHANDS_SECRET_KEY_OLD: "nope" }),
    );
    expect(badOld.message).toContain("THREADHANDS_SECRET_KEY_OLD");
  });
});

describe("the token vault", () => {
  it("detects a tampered ciphertext", async () => {
    const harness = await startCredentialsHarness();
    try {
      await harness.link(alice);
      const envelope = (await harness.records.get(alice, "github")) ?? "";
      const parts = envelope.split(".");
      const ciphertext = Buffer.from(parts[3] ?? "", "base64url");
      ciphertext[0] = (ciphertext[0] ?? 0) ^ 1;
      parts[3] = ciphertext.toString("base64url");
      await harness.records.put(alice, "github", parts.join("."));
      const error = await rejectedBy(harness.vault.load(alice, "github"));
      expect(error.code).toBe("credential_decrypt_failed");
    } finally {
      await harness.close();
    }
  });

  it("refuses a ciphertext moved to another user's record or another provider", async () => {
    const harness = await startCredentialsHarness();
    try {
      await harness.link(alice);
      const envelope = (await harness.records.get(alice, "github")) ?? "";
      await harness.records.put(bob, "github", envelope);
      expect((await rejectedBy(harness.vault.getFreshToken(bob, "github"))).code).toBe(
        "credential_decrypt_failed",
      );
      await harness.records.put(alice, "gitlab", envelope);
      expect((await rejectedBy(harness.vault.load(alice, "gitlab"))).code).toBe("credential_decrypt_failed");
      expect((await harness.vault.load(alice, "github"))?.accessToken).toBeTruthy();
    } finally {
      await harness.close();
    }
  });

  it("reads with the old key after rotation and re-seals with the new key on the next write", async () => {
    const oldKey = randomKey();
    const newKey = randomKey();
    const harness = await startCredentialsHarness({ secretKey: oldKey });
    try {
      await harness.link(alice);
      const original = await harness.vault.load(alice, "github");
      const vaultWith = (env: Record<string, string>) =>
        createTokenVault({
          store: harness.records,
          keys: loadVaultKeys(env),
          lock: harness.lock,
          clients: harness.clients,
        });
      const rotated = vaultWith({ THREADHANDS_SECRET_KEY: newKey, THREADHANDS_SECRET_KEY_OLD: oldKey });
      const keyIdOf = async () => (await harness.records.get(alice, "github"))?.split(".")[1];

      expect(await keyIdOf()).toBe(parseSecretKey(oldKey).id);
      const read = await rotated.load(alice, "github");
      expect(read?.accessToken).toBe(original?.accessToken);
      expect(await keyIdOf()).toBe(parseSecretKey(oldKey).id);

      await rotated.save(alice, "github", read ?? { accessToken: "", scopes: [], tokenType: "bearer" });
      expect(await keyIdOf()).toBe(parseSecretKey(newKey).id);
      expect((await vaultWith({ THREADHANDS_SECRET_KEY: newKey }).load(alice, "github"))?.accessToken).toBe(
        original?.accessToken,
      );
      const stale = await rejectedBy(vaultWith({ THREADHANDS_SECRET_KEY: oldKey }).load(alice, "github"));
      expect(stale.code).toBe("credential_key_unknown");
    } finally {
      await harness.close();
    }
  });

  it("refreshes a token shortly before it expires, rotating the refresh token", async () => {
    let clock = Date.now();
    const harness = await startCredentialsHarness({ expiresIn: 3600, now: () => clock });
    try {
      await harness.link(alice);
      const linked = await harness.vault.load(alice, "github");
      expect((await harness.vault.getFreshToken(alice, "github")).status).toBe("ok");
      expect(harness.fake.refreshCount).toBe(0);

      clock += 3600_000 - 30_000; // 30 s left: inside the 60 s margin
      const fresh = await harness.vault.getFreshToken(alice, "github");
      if (fresh.status !== "ok") throw new Error(fresh.status);
      expect(harness.fake.refreshCount).toBe(1);
      expect(fresh.token.accessToken).not.toBe(linked?.accessToken);
      expect(fresh.token.refreshToken).not.toBe(linked?.refreshToken);
      expect(fresh.token.login).toBe("octocat");
      expect(fresh.token.expiresAt).toBe(clock + 3600_000);
      expect((await harness.vault.load(alice, "github"))?.accessToken).toBe(fresh.token.accessToken);

      const resolved = await harness.broker.resolve({ owner: alice, providers: ["github"] });
      expect(resolved.ok && resolved.env.GH_TOKEN).toBe(fresh.token.accessToken);
      expect(harness.fake.refreshCount).toBe(1);
    } finally {
      await harness.close();
    }
  });

  it("spends a refresh token once when many calls in two processes need it at the same time", async () => {
    const harness = await startCredentialsHarness({ expiresIn: 30, refreshDelayMs: 150 });
    try {
      await harness.link(alice);
      harness.fake.setExpiresIn(3600);
      const other = harness.otherProcessVault();
      const results = await Promise.all([
        ...Array.from({ length: 5 }, () => harness.vault.getFreshToken(alice, "github")),
        ...Array.from({ length: 5 }, () => other.getFreshToken(alice, "github")),
      ]);
      expect(harness.fake.refreshCount).toBe(1);
      const tokens = new Set(
        results.map((result) => (result.status === "ok" ? result.token.accessToken : result.status)),
      );
      expect(tokens.size).toBe(1);
      expect(harness.fake.isActive([...tokens][0] ?? "")).toBe(true);
      expect(await harness.redis.keys(`${harness.prefix}:vault-refresh:*`)).toEqual([]);
    } finally {
      await harness.close();
    }
  });

  it("forgets a token whose refresh the provider refuses and asks the user to link again", async () => {
    const harness = await startCredentialsHarness({ expiresIn: 30 });
    try {
      await harness.link(alice);
      const stored = await harness.vault.load(alice, "github");
      harness.fake.revoked.add(stored?.refreshToken ?? "");
      expect(await harness.vault.getFreshToken(alice, "github")).toEqual({ status: "expired" });
      expect(await harness.records.get(alice, "github")).toBeUndefined();
      await harness.link(alice);
      harness.fake.revoked.add((await harness.vault.load(alice, "github"))?.refreshToken ?? "");
      const resolved = await harness.broker.resolve({ owner: alice, providers: ["github"] });
      expect(resolved).toMatchObject({ ok: false, missing: [{ reason: "expired" }] });
    } finally {
      await harness.close();
    }
  });

  it("never refreshes a token without expiry", async () => {
    const harness = await startCredentialsHarness();
    try {
      await harness.link(alice);
      expect((await harness.vault.getFreshToken(alice, "github")).status).toBe("ok");
      expect(harness.fake.refreshCount).toBe(0);
    } finally {
      await harness.close();
    }
  });
});
