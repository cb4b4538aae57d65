import {
  type APIActionRowComponent,
  type APIButtonComponentWithCustomId,
  ButtonStyle,
  ComponentType,
} from "discord.js";
import { type InboundAction, inboundActionKinds } from "../../src/chat/thread.ts";

/**
 * Message components for any button the core asks for (Restore, Stop, Approve, Deny), kept within Discord's limits: 5 action rows of 5 buttons, `custom_id` of at most
 * 100 characters. A `custom_id` is `<kind>:<opaque id>`: the id means nothing without the
 * session, which the worker checks it against on click.
 */

export type ButtonKind = InboundAction["kind"];
export const buttonKinds: readonly ButtonKind[] = inboundActionKinds;

export interface ButtonSpec {
  kind: ButtonKind;
  value: string;
  label: string;
  style?: "primary" | "secondary" | "success" | "danger";
}

export const maxButtonsPerRow = 5;
export const maxRows = 5;
const customIdLimit = 100;
const labelLimit = 80;

const styles = {
  primary: ButtonStyle.Primary,
  secondary: ButtonStyle.Secondary,
  success: ButtonStyle.Success,
  danger: ButtonStyle.Danger,
} as const;

export function customIdFor(kind: ButtonKind, value: string): string {
  const id = `${kind}:${value}`;
  if (id.length > customIdLimit)
    throw new RangeError(`a ${kind} button's id is longer than ${customIdLimit} characters`);
  return id;
}

/** The kind and opaque id a click carries, or undefined for a button this version does not know. */
export function parseCustomId(customId: string): { kind: ButtonKind; value: string } | undefined {
  const separator = customId.indexOf(":");
  if (separator <= 0) return undefined;
  const kind = buttonKinds.find((known) => known === customId.slice(0, separator));
  const value = customId.slice(separator + 1);
  return kind && value ? { kind, value } : undefined;
}

/** Lays buttons out five to a row; more than Discord shows on one message is a programming error. */
export function buttonRows(buttons: ButtonSpec[]): APIActionRowComponent<APIButtonComponentWithCustomId>[] {
  if (buttons.length > maxButtonsPerRow * maxRows) {
    throw new RangeError(
      `a message holds at most ${maxButtonsPerRow * maxRows} buttons, got ${buttons.length}`,
    );
  }
  const rows: APIActionRowComponent<APIButtonComponentWithCustomId>[] = [];
  for (let start = 0; start < buttons.length; start += maxButtonsPerRow) {
    rows.push({
      type: ComponentType.ActionRow,
      components: buttons.slice(start, start + maxButtonsPerRow).map((button) => ({
        type: ComponentType.Button,
        style: styles[button.style ?? "secondary"],
        label: button.label.slice(0, labelLimit),
        custom_id: customIdFor(button.kind, button.value),
      })),
    });
  }
  return rows;
}
