import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { AppError } from "../errors.ts";
import type { VaultKey, VaultKeys } from "./secret-key.ts";

/**
 * The at-rest format: `th1.<key id>.<nonce>.<ciphertext>.<tag>` (base64url parts). AES-256-GCM with
 * a fresh 96-bit nonce per write; the associated data binds the ciphertext to its owner and
 * provider, so a value copied into another user's record fails authentication instead of
 * handing that user someone else's token.
 */
const version = "th1";

export function seal(key: VaultKey, associatedData: string, plaintext: string): string {
  const nonce = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", key.bytes, nonce);
  cipher.setAAD(Buffer.from(associatedData, "utf8"));
  const ciphertext = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  const tag = cipher.getAuthTag();
  return [
    version,
    key.id,
    nonce.toString("base64url"),
    ciphertext.toString("base64url"),
    tag.toString("base64url"),
  ].join(".");
}

export interface Opened {
  plaintext: string;
  /** True when the envelope was sealed with the previous key: the next write re-seals it. */
  sealedWithPreviousKey: boolean;
}

export function open(keys: VaultKeys, associatedData: string, envelope: string): Opened {
  const parts = envelope.split(".");
  const [tag, keyIdPart, noncePart, ciphertextPart, authTagPart] = parts;
  if (parts.length !== 5 || tag !== version || !keyIdPart || !noncePart || !authTagPart) {
    throw new AppError("credential_envelope_invalid", "A stored credential is not in the vault's format.");
  }
  const key = [keys.current, keys.previous].find((candidate) => candidate?.id === keyIdPart);
  if (!key) {
    throw new AppError(
      "credential_key_unknown",
      "A stored credential was sealed with a key that is neither THREADHANDS_SECRET_KEY nor THREADHANDS_SECRET_KEY_OLD; the user must link the account again.",
    );
  }
  try {
    const decipher = createDecipheriv("aes-256-gcm", key.bytes, Buffer.from(noncePart, "base64url"));
    decipher.setAAD(Buffer.from(associatedData, "utf8"));
    decipher.setAuthTag(Buffer.from(authTagPart, "base64url"));
    const plaintext = Buffer.concat([
      decipher.update(Buffer.from(ciphertextPart ?? "", "base64url")),
      decipher.final(),
    ]).toString("utf8");
    return { plaintext, sealedWithPreviousKey: key !== keys.current };
  } catch {
    // No cause: the crypto error says nothing useful and the inputs are not for logs.
    throw new AppError(
      "credential_decrypt_failed",
      "A stored credential failed authentication (tampered, or moved from another user's record); the user must link the account again.",
    );
  }
}
