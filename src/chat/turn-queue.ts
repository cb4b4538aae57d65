import type { InboundAction, InboundMessage, ThreadRef } from "./thread.ts";

/**
 * How ingress hands work to workers. Implemented by `queue/`; ingress never waits for the work,
 * only for the enqueue, so it acks within the platform's deadline.
 */
export interface TurnQueue {
  /** Idempotent per message id: a replayed event enqueues nothing new. */
  enqueueMessage(message: InboundMessage): Promise<void>;
  enqueueAction(action: InboundAction): Promise<void>;
  /** Whether the thread already has a session, so a plain reply (no mention) continues it. */
  hasSession(thread: ThreadRef): Promise<boolean>;
  /**
   * Whether the user may press the thread's buttons (a participant or a configured user). The
   * worker decides again; ingress asks only where the platform can refuse privately in the
   * interaction's own response (Discord's ephemeral replies need the interaction token).
   */
  mayAct(thread: ThreadRef, userId: string): Promise<boolean>;
}
