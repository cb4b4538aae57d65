import type { InboundMessage, ThreadRef } from "../chat/thread.ts";
import type { ModelMessage } from "../model/language-model.ts";

/** What a thread's session remembers between turns. Never holds a secret. */
export interface SessionRecord {
  key: string;
  thread: ThreadRef;
  createdAt: string;
  updatedAt: string;
  history: ModelMessage[];
  /** Turns started, for the status line. */
  turns: number;
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
}

/** One turn at a time per thread, across every worker process. */
export interface ThreadLease {
  acquire(key: string, holder: string, ttlMs: number): Promise<boolean>;
  /** False when the lease was lost (expired and taken): the holder must stop. */
  renew(key: string, holder: string, ttlMs: number): Promise<boolean>;
  release(key: string, holder: string): Promise<void>;
}
