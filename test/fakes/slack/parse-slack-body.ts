/**
 * Decodes a Slack Web API request body the way Slack's servers accept it. @slack/web-api sends
 * `application/x-www-form-urlencoded` with every non-scalar argument (blocks, attachments,
 * files, metadata) JSON-stringified into one form field, and switches to multipart/form-data
 * when an argument is a Buffer. Slack also accepts JSON bodies (with a Bearer header), which
 * other clients use, so all three are decoded into one argument object.
 */

/** Form fields that carry JSON on the wire; decoded so tests can assert on structure. */
const JSON_FIELDS = new Set(["blocks", "attachments", "files", "metadata", "user_auth_blocks"]);

export type BodyEncoding = "form" | "json" | "multipart" | "empty" | "other";

export interface UploadedPart {
  field: string;
  filename: string;
  bytes: Buffer;
}

export interface ParsedSlackBody {
  encoding: BodyEncoding;
  args: Record<string, unknown>;
  /** Binary parts of a multipart body (file uploads). */
  parts: UploadedPart[];
  /** Fields whose JSON did not parse; the raw string stays in `args`. */
  invalidJsonFields: string[];
}

export async function parseSlackBody(contentType: string | undefined, raw: Buffer): Promise<ParsedSlackBody> {
  const type = (contentType ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
  if (raw.length === 0) return { encoding: "empty", args: {}, parts: [], invalidJsonFields: [] };
  if (type === "application/json") {
    const parsed: unknown = JSON.parse(raw.toString("utf8"));
    const args = typeof parsed === "object" && parsed !== null ? (parsed as Record<string, unknown>) : {};
    return { encoding: "json", args, parts: [], invalidJsonFields: [] };
  }
  if (type === "application/x-www-form-urlencoded") {
    const fields: Record<string, string> = {};
    for (const [key, value] of new URLSearchParams(raw.toString("utf8"))) fields[key] = value;
    return { encoding: "form", ...decodeJsonFields(fields), parts: [] };
  }
  if (type === "multipart/form-data") {
    // undici's Response parses multipart for us; no extra dependency needed.
    const form = await new Response(new Uint8Array(raw), {
      headers: { "content-type": contentType ?? "" },
    }).formData();
    const fields: Record<string, string> = {};
    const parts: UploadedPart[] = [];
    for (const [key, value] of form) {
      if (typeof value === "string") fields[key] = value;
      else parts.push({ field: key, filename: value.name, bytes: Buffer.from(await value.arrayBuffer()) });
    }
    return { encoding: "multipart", ...decodeJsonFields(fields), parts };
  }
  return { encoding: "other", args: {}, parts: [], invalidJsonFields: [] };
}

function decodeJsonFields(fields: Record<string, string>): {
  args: Record<string, unknown>;
  invalidJsonFields: string[];
} {
  const args: Record<string, unknown> = { ...fields };
  const invalidJsonFields: string[] = [];
  for (const key of Object.keys(fields)) {
    if (!JSON_FIELDS.has(key)) continue;
    try {
      args[key] = JSON.parse(fields[key] ?? "");
    } catch {
      invalidJsonFields.push(key);
    }
  }
  return { args, invalidJsonFields };
}
