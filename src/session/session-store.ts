import type { ChatUser, InboundMessage, ThreadRef } from "../chat/thread.ts";
import type { ModelMessage } from "../model/language-model.ts";
import type { RiskLevel } from "../policy/risk.ts";

/** What a thread's session remembers between turns. Never holds a secret. */
export interface SessionRecord {
  key: string;
  thread: ThreadRef;
  createdAt: string;
  updatedAt: string;
  history: ModelMessage[];
  /** Turns started, for the status line. */
  turns: number;
  /** Set while a turn runs; a worker that takes over the thread after a crash resumes it. */
  activeTurn?: ActiveTurn;
  /** Opaque id the End session button carries. */
  endId?: string;
  /** The last turn's status message, whose End session button goes when the session ends. */
  lastStatusRef?: string;
  /** Spent so far, against the session budget. */
  usage?: { steps: number; tokens: number };
  /** How many budgets the session may spend: 1, plus one per Continue. */
  budgetGrants?: number;
}

/** The step log's cursor: enough to resume a turn without running a finished command twice. */
export interface ActiveTurn {
  id: string;
  startedAt: string;
  /** Model calls made in this turn. */
  steps: number;
  statusRef?: string;
  /** The tool call that was executing; if a worker died during it, its outcome is unknown. */
  runningCall?: { id: string; name: string; startedAt: string };
  /** Whose request the model acts on: the author of the latest message it has read. */
  requester?: ChatUser;
  /** The turn is parked until a credential's owner clicks Approve or Deny; no worker holds it. */
  awaitingApproval?: { approvalId: string; callId: string };
  /** Parked at the session budget until someone presses Continue (which raises budgetGrants). */
  awaitingBudget?: { continueId: string; grants: number };
}

/** A credentialed command waiting for (or given) its token owner's decision. */
export interface ApprovalRecord {
  approvalId: string;
  callId: string;
  command: string;
  providers: string[];
  /** The token's owner, the only one who may decide. */
  ownerId: string;
  risk: RiskLevel;
  createdAt: string;
  messageRef?: string;
  decision?: "approved" | "denied" | "expired";
  decidedBy?: string;
}

/** A checkpoint as the thread knows it: the Restore button carries `restoreId` only. */
export interface CheckpointRecord {
  restoreId: string;
  checkpointId: string;
  label: string;
  createdAt: string;
  messageRef?: string;
  restoredBy?: string;
  restoredAt?: string;
}

export interface SessionStore {
  exists(key: string, signal?: AbortSignal): Promise<boolean>;
  load(key: string, signal?: AbortSignal): Promise<SessionRecord | undefined>;
  save(record: SessionRecord, signal?: AbortSignal): Promise<void>;

  addParticipant(key: string, userId: string): Promise<void>;
  isParticipant(key: string, userId: string): Promise<boolean>;

  saveCheckpoint(key: string, record: CheckpointRecord): Promise<void>;
  findCheckpoint(key: string, restoreId: string): Promise<CheckpointRecord | undefined>;

  /** Removes the session (its sandbox is gone); a later mention starts a new one. */
  remove(key: string): Promise<void>;
  /** Sandbox keys in use, so a sweeper can tell orphans (left by a crash) from live ones. */
  addSandboxKey(sandboxKey: string): Promise<void>;
  removeSandboxKey(sandboxKey: string): Promise<void>;
  sandboxKeys(): Promise<string[]>;

  saveApproval(key: string, record: ApprovalRecord): Promise<void>;
  findApproval(key: string, approvalId: string): Promise<ApprovalRecord | undefined>;
  /**
   * Records a decision only if none was recorded yet (an owner's click and a request expiring
   * can race); returns the record as it stands afterwards.
   */
  decideApproval(
    key: string,
    approvalId: string,
    decision: NonNullable<ApprovalRecord["decision"]>,
    by?: string,
  ): Promise<ApprovalRecord | undefined>;
}

/**
 * Messages wait here until the thread's running loop (or the next turn) reads them, so a user can
 * steer an investigation while it runs. Notes are facts for the model that need no answer
 * ("@alice restored the sandbox"), read together with the next messages.
 */
export interface SessionInbox {
  /** False when this message was already accepted once (a replay). */
  push(key: string, message: InboundMessage): Promise<boolean>;
  take(key: string): Promise<InboundMessage[]>;
  hasMessages(key: string): Promise<boolean>;
  addNote(key: string, text: string): Promise<void>;
  takeNotes(key: string): Promise<string[]>;
  /** Asks the thread's running turn to stop (the Stop button, or "stop" in the thread). */
  requestStop(key: string, userId: string): Promise<void>;
  /** Who asked the running turn to stop, if anyone; reading clears the request. */
  takeStopRequest(key: string): Promise<string | undefined>;
}

/**
 * Caps on turns running at once, per workspace and per user, across every worker, so one busy
 * incident cannot starve another. All scopes are taken together or none is.
 */
export interface TurnSlots {
  acquire(scopes: Array<{ scope: string; limit: number }>, holder: string, ttlMs: number): Promise<boolean>;
  renew(scopes: string[], holder: string, ttlMs: number): Promise<void>;
  release(scopes: string[], holder: string): Promise<void>;
}

/**
 * One turn at a time per thread, across every worker process. A holder is `<owner>|<instance>`;
 * `acquire` also succeeds when the current holder has the same owner (the same queue job, re-run
 * on another worker after a crash), so recovery does not wait for the lease to expire.
 */
export interface ThreadLease {
  acquire(key: string, holder: string, ttlMs: number): Promise<boolean>;
  /** False when the lease was lost (expired and taken): the holder must stop. */
  renew(key: string, holder: string, ttlMs: number): Promise<boolean>;
  release(key: string, holder: string): Promise<void>;
}
