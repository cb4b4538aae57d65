import type { ThreadRef } from "../chat/thread.ts";
import { threadKey } from "../chat/thread.ts";
import type { ThreadPoster } from "../chat/thread-poster.ts";
import type { SandboxProvider } from "../sandbox/sandbox.ts";
import type { SessionStore } from "./session-store.ts";

/**
 * One config decision: `ephemeral` gives every session a fresh sandbox that goes when the session
 * ends; `persistent` keeps one named sandbox per scope (thread or channel) across sessions, so
 * installed tooling survives.
 */
export interface LifecyclePolicy {
  lifecycle: "ephemeral" | "persistent";
  scope: "thread" | "channel";
  idleMs: number;
}

export function sandboxKeyFor(thread: ThreadRef, policy: LifecyclePolicy): string {
  if (policy.lifecycle === "persistent" && policy.scope === "channel") {
    return [thread.platform, thread.workspace, thread.channel].join(":");
  }
  return threadKey(thread);
}

export type EndReason = "ended_by_user" | "idle" | "thread_deleted";

export interface EndSessionDependencies {
  store: SessionStore;
  sandboxes: SandboxProvider;
  poster: ThreadPoster;
  policy: LifecyclePolicy;
}

/**
 * Ends a session: an ephemeral sandbox is destroyed (a persistent one is kept), the session is
 * forgotten so a later mention starts afresh, and the thread is told (unless it is gone).
 */
export async function endSession(
  deps: EndSessionDependencies,
  thread: ThreadRef,
  reason: EndReason,
  by?: string,
): Promise<void> {
  const key = threadKey(thread);
  const session = await deps.store.load(key);
  const sandboxKey = sandboxKeyFor(thread, deps.policy);
  let sandboxNote = "";
  if (deps.policy.lifecycle === "ephemeral") {
    const destroyed = await deps.sandboxes.destroyByName(deps.sandboxes.nameFor(sandboxKey));
    await deps.store.removeSandboxKey(sandboxKey);
    sandboxNote = destroyed ? " Its sandbox was destroyed." : "";
  } else {
    sandboxNote = ` The persistent sandbox \`${deps.sandboxes.nameFor(sandboxKey)}\` is kept for the next session.`;
  }
  await deps.store.remove(key);
  if (reason === "thread_deleted") return;
  const why =
    reason === "idle"
      ? `Session ended after ${Math.round(deps.policy.idleMs / 60_000)} minutes without activity.`
      : `Session ended by <@${by}>.`;
  if (session?.lastStatusRef) {
    await deps.poster.updateStatus(thread, session.lastStatusRef, { text: "Session ended." }).catch(() => {});
  }
  await deps.poster.postNotice(thread, `${why}${sandboxNote} Mention me to start a new one.`);
}

/**
 * Destroys sandboxes whose session no longer exists (a crash left them), and only those: a
 * sandbox is live while its key is registered and its session is there. Persistent sandboxes
 * outlive sessions by design and are never swept.
 */
export async function sweepOrphanSandboxes(
  deps: Pick<EndSessionDependencies, "store" | "sandboxes" | "policy">,
): Promise<string[]> {
  if (deps.policy.lifecycle === "persistent") return [];
  // Owned first, live second: a sandbox created in between is registered before it exists, so it
  // is either missing from `owned` or present in `live`, never swept by mistake.
  const owned = await deps.sandboxes.ownedNames();
  const live = new Set<string>();
  for (const key of await deps.store.sandboxKeys()) {
    if (await deps.store.exists(key)) live.add(deps.sandboxes.nameFor(key));
    else await deps.store.removeSandboxKey(key);
  }
  const swept: string[] = [];
  for (const name of owned) {
    if (live.has(name)) continue;
    if (await deps.sandboxes.destroyByName(name)) swept.push(name);
  }
  return swept;
}
