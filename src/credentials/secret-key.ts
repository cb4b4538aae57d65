import { createHmac } from "node:crypto";
import { AppError } from "../errors.ts";

/** A 256-bit vault key and the short id written into every envelope sealed with it. */
export interface VaultKey {
  id: string;
  bytes: Buffer;
}

/** Writes use `current`; reads also accept `previous`, so a key can be rotated without relinking. */
export interface VaultKeys {
  current: VaultKey;
  previous?: VaultKey;
}

export const secretKeyVariable = "THREADHANDS_SECRET_KEY";
export const oldSecretKeyVariable = "THREADHANDS_SECRET_KEY_OLD";

const hexKey = /^[0-9a-fA-F]{64}$/;
const base64Key = /^[A-Za-z0-9+/_-]{43}=?$/;

/**
 * Accepts 64 hex digits or base64/base64url of exactly 32 bytes. Errors name the variable and the
 * expected shape, never the value (it may be a real key pasted into the wrong variable).
 */
export function parseSecretKey(value: string | undefined, variable: string = secretKeyVariable): VaultKey {
  const how = `${variable} must be 32 random bytes as 64 hex digits or base64 (generate one with: openssl rand -base64 32)`;
  const text = value?.trim();
  if (!text) throw new AppError("config_secret_key_missing", `${variable} is not set. ${how}.`);
  let bytes: Buffer | undefined;
  if (hexKey.test(text)) bytes = Buffer.from(text, "hex");
  else if (base64Key.test(text))
    bytes = Buffer.from(text.replaceAll("-", "+").replaceAll("_", "/"), "base64");
  if (bytes?.length !== 32)
    throw new AppError("config_secret_key_invalid", `${variable} is malformed. ${how}.`);
  return { id: keyId(bytes), bytes };
}

/** Reads THREADHANDS_SECRET_KEY and, when set, THREADHANDS_SECRET_KEY_OLD. */
export function loadVaultKeys(env: Record<string, string | undefined>): VaultKeys {
  const current = parseSecretKey(env[secretKeyVariable], secretKeyVariable);
  const oldValue = env[oldSecretKeyVariable];
  if (oldValue === undefined || oldValue.trim() === "") return { current };
  return { current, previous: parseSecretKey(oldValue, oldSecretKeyVariable) };
}

// Derived from the key (an HMAC, so it says nothing usable about it): rotation needs no extra
// setting, and a record sealed with a key we no longer have is recognised as such.
function keyId(bytes: Buffer): string {
  return createHmac("sha256", bytes).update("threadhands vault key id").digest("hex").slice(0, 8);
}
