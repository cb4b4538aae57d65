/**
 * Every key of a thread shares one hash tag `{…}`, so a thread's keys live on one Redis Cluster
 * slot and multi-key scripts stay legal.
 */
export function createKeyspace(prefix: string) {
  const thread = (key: string, part: string) => `${prefix}:{${key}}:${part}`;
  return {
    session: (key: string) => thread(key, "session"),
    participants: (key: string) => thread(key, "participants"),
    checkpoints: (key: string) => thread(key, "checkpoints"),
    approvals: (key: string) => thread(key, "approvals"),
    inbox: (key: string) => thread(key, "inbox"),
    inboxSeen: (key: string) => thread(key, "inbox-seen"),
    notes: (key: string) => thread(key, "notes"),
    lease: (key: string) => thread(key, "lease"),
    stop: (key: string) => thread(key, "stop"),
    /** Not per thread: the sweeper reads it whole. */
    sandboxKeys: () => `${prefix}:sandbox-keys`,
  };
}

export type Keyspace = ReturnType<typeof createKeyspace>;
