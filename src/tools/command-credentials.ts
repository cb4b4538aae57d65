import type { RiskLevel } from "../policy/risk.ts";

/**
 * The requesting user's accounts, as one turn's tools see them. Tokens are resolved for a single
 * exec and never returned to the model; expected failures ("not linked") are text for the model.
 */
export interface CommandCredentials {
  /** Provider names the model may ask for, e.g. ["github"]. */
  providerNames: string[];
  /** Whether this call needs its owner's click first, and the click if it already happened. */
  approvalState(callId: string, risk: RiskLevel): "not_needed" | "needed" | "approved" | "denied";
  /** Posts Approve / Deny and parks the turn: throws AwaitingApproval, never returns. */
  requestApproval(input: {
    callId: string;
    command: string;
    providers: string[];
    risk: RiskLevel;
  }): Promise<never>;
  /** The env for this one exec, and the command to run (it may first write credential files). */
  resolve(
    providers: string[],
    command: string,
    signal: AbortSignal,
  ): Promise<{ ok: true; env: Record<string, string>; command: string } | { ok: false; message: string }>;
  /** One audit line in the thread: what ran, as whom, with which accounts. */
  audit(command: string, providers: string[], exitCode: number | null): Promise<void>;
}

/** Thrown by a tool to park the turn until the credential's owner decides. */
export class AwaitingApproval extends Error {
  readonly approvalId: string;
  readonly callId: string;

  constructor(approvalId: string, callId: string) {
    super("waiting for the credential owner's approval");
    this.name = "AwaitingApproval";
    this.approvalId = approvalId;
    this.callId = callId;
  }
}
