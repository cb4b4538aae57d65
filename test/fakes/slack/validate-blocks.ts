/**
 * The Block Kit limits Slack enforces server-side. A message that breaks one is rejected with
 * `invalid_blocks` in production, so the fake rejects it too rather than letting a bot that
 * only works against a lenient fake through.
 */

const MAX_BLOCKS = 50;

interface Limit {
  max: number;
  what: string;
}

const SECTION_TEXT: Limit = { max: 3000, what: "section text" };
const HEADER_TEXT: Limit = { max: 150, what: "header text" };
const BUTTON_TEXT: Limit = { max: 75, what: "button text" };
const BUTTON_VALUE: Limit = { max: 2000, what: "button value" };
const ID: Limit = { max: 255, what: "id" };

type JsonObject = Record<string, unknown>;

const isObject = (value: unknown): value is JsonObject => typeof value === "object" && value !== null;

/** Returns Slack-style error strings ("... [json-pointer:/blocks/0/text/text]"); empty when valid. */
export function validateBlocks(blocks: unknown): string[] {
  if (!Array.isArray(blocks)) return ["must be an array [json-pointer:/blocks]"];
  const errors: string[] = [];
  if (blocks.length > MAX_BLOCKS)
    errors.push(`no more than ${MAX_BLOCKS} items allowed [json-pointer:/blocks]`);
  blocks.forEach((block, index) => {
    const pointer = `/blocks/${index}`;
    if (!isObject(block) || typeof block.type !== "string") {
      errors.push(`missing required field: type [json-pointer:${pointer}]`);
      return;
    }
    checkLength(errors, block.block_id, ID, `${pointer}/block_id`);
    if (block.type === "section") checkText(errors, block.text, SECTION_TEXT, `${pointer}/text`);
    if (block.type === "header") checkText(errors, block.text, HEADER_TEXT, `${pointer}/text`);
    if (block.type === "section" && block.text === undefined && block.fields === undefined) {
      errors.push(`must provide either text or fields [json-pointer:${pointer}]`);
    }
    const elements = block.type === "actions" && Array.isArray(block.elements) ? block.elements : [];
    if (elements.length > 25) errors.push(`no more than 25 items allowed [json-pointer:${pointer}/elements]`);
    elements.forEach((element, elementIndex) => {
      if (!isObject(element)) return;
      const at = `${pointer}/elements/${elementIndex}`;
      checkLength(errors, element.action_id, ID, `${at}/action_id`);
      if (element.type === "button") {
        checkText(errors, element.text, BUTTON_TEXT, `${at}/text`);
        checkLength(errors, element.value, BUTTON_VALUE, `${at}/value`);
      }
    });
  });
  return errors;
}

function checkText(errors: string[], text: unknown, limit: Limit, pointer: string): void {
  if (text === undefined) return;
  if (!isObject(text) || (text.type !== "plain_text" && text.type !== "mrkdwn")) {
    errors.push(`expected a text object of type plain_text or mrkdwn [json-pointer:${pointer}]`);
    return;
  }
  if (typeof text.text !== "string" || text.text.length === 0) {
    errors.push(`must be more than 0 characters [json-pointer:${pointer}/text]`);
    return;
  }
  checkLength(errors, text.text, limit, `${pointer}/text`);
}

function checkLength(errors: string[], value: unknown, limit: Limit, pointer: string): void {
  if (typeof value === "string" && value.length > limit.max) {
    errors.push(`must be less than ${limit.max + 1} characters [json-pointer:${pointer}]`);
  }
}
