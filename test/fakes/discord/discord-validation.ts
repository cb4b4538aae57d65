/**
 * Rejects message bodies the way Discord does (HTTP 400, code 50035 "Invalid Form Body" with
 * per-field errors, or 50006 for an empty message): 2,000 characters of content, at most 5
 * action rows of at most 5 buttons, custom_id 1 to 100 characters and unique, labels up to 80.
 */

export interface DiscordErrorBody {
  code: number;
  message: string;
  errors?: Record<string, unknown>;
}

const contentLimit = 2000;

function fieldError(path: string, code: string, message: string): Record<string, unknown> {
  // Discord nests errors by path: { components: { "0": { components: { _errors: [...] } } } }.
  const parts = path.split(".");
  let node: Record<string, unknown> = { _errors: [{ code, message }] };
  for (const part of parts.reverse()) node = { [part]: node };
  return node;
}

export function validateMessageBody(
  body: Record<string, unknown>,
  options: { fileCount: number; isEdit: boolean },
): DiscordErrorBody | undefined {
  const problems: Array<Record<string, unknown>> = [];
  const content = body.content;
  if (content !== undefined && content !== null && typeof content !== "string") {
    problems.push(fieldError("content", "STRING_TYPE_CONVERT", "Could not interpret value as string."));
  }
  if (typeof content === "string" && content.length > contentLimit) {
    problems.push(
      fieldError("content", "BASE_TYPE_MAX_LENGTH", `Must be ${contentLimit} or fewer in length.`),
    );
  }
  const components = body.components;
  if (components !== undefined && components !== null) {
    if (!Array.isArray(components))
      problems.push(fieldError("components", "LIST_TYPE_CONVERT", "Must be an array."));
    else problems.push(...componentProblems(components));
  }
  if (problems.length > 0) {
    return { code: 50035, message: "Invalid Form Body", errors: Object.assign({}, ...problems) };
  }
  const empty =
    !(typeof content === "string" && content.length > 0) &&
    !(Array.isArray(components) && components.length > 0) &&
    !(Array.isArray(body.embeds) && body.embeds.length > 0) &&
    options.fileCount === 0 &&
    !(Array.isArray(body.sticker_ids) && body.sticker_ids.length > 0);
  if (empty && !options.isEdit) return { code: 50006, message: "Cannot send an empty message" };
  return undefined;
}

function componentProblems(rows: unknown[]): Array<Record<string, unknown>> {
  const problems: Array<Record<string, unknown>> = [];
  if (rows.length > 5)
    problems.push(fieldError("components", "BASE_TYPE_MAX_LENGTH", "Must be 5 or fewer in length."));
  const seen = new Set<string>();
  for (const [rowIndex, row] of rows.entries()) {
    const { type, components } = (row ?? {}) as { type?: unknown; components?: unknown };
    const at = `components.${rowIndex}`;
    if (type !== 1) {
      problems.push(
        fieldError(`${at}.type`, "UNION_TYPE_CHOICES", 'Value of field "type" must be one of (1,).'),
      );
      continue;
    }
    if (!Array.isArray(components) || components.length === 0 || components.length > 5) {
      problems.push(
        fieldError(`${at}.components`, "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 5 in length."),
      );
      continue;
    }
    components.forEach((component, index) => {
      const button = (component ?? {}) as Record<string, unknown>;
      const path = `${at}.components.${index}`;
      if (button.type !== 2) return;
      const link = button.style === 5;
      const customId = button.custom_id;
      if (!link && (typeof customId !== "string" || customId.length < 1 || customId.length > 100)) {
        problems.push(
          fieldError(`${path}.custom_id`, "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 100 in length."),
        );
      } else if (typeof customId === "string") {
        if (seen.has(customId))
          problems.push(
            fieldError(
              `${path}.custom_id`,
              "COMPONENT_CUSTOM_ID_DUPLICATED",
              "Component custom id cannot be duplicated",
            ),
          );
        seen.add(customId);
      }
      if (typeof button.label === "string" && button.label.length > 80) {
        problems.push(fieldError(`${path}.label`, "BASE_TYPE_MAX_LENGTH", "Must be 80 or fewer in length."));
      }
      if (typeof button.style !== "number" || button.style < 1 || button.style > 6) {
        problems.push(
          fieldError(`${path}.style`, "BASE_TYPE_CHOICES", "Value must be one of (1, 2, 3, 4, 5, 6)."),
        );
      }
    });
  }
  return problems;
}
