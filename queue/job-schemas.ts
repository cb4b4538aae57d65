import { z } from "zod";
import { inboundActionKinds } from "../src/chat/thread.ts";

/**
 * Job payloads carry references only: ids, the thread, the user and what they typed. Never a
 * token. They are validated when read, since Redis content outlives code versions.
 */

const threadSchema = z.object({
  platform: z.enum(["slack", "discord"]),
  workspace: z.string().min(1),
  channel: z.string().min(1),
  thread: z.string().min(1),
});

const userSchema = z.object({ id: z.string().min(1), name: z.string().optional() });

export const turnJobSchema = z.object({
  message: z.object({
    messageId: z.string().min(1),
    thread: threadSchema,
    user: userSchema,
    text: z.string(),
    mentioned: z.boolean(),
    receivedAt: z.string(),
  }),
});

export const actionJobSchema = z.object({
  action: z.object({
    actionId: z.string().min(1),
    kind: z.enum(inboundActionKinds),
    value: z.string().min(1),
    thread: threadSchema,
    user: userSchema,
    messageRef: z.string().min(1),
  }),
});

export const idleCheckJobSchema = z.object({ thread: threadSchema });

export type TurnJob = z.infer<typeof turnJobSchema>;
export type IdleCheckJob = z.infer<typeof idleCheckJobSchema>;
export type ActionJob = z.infer<typeof actionJobSchema>;

export const queueNames = { turns: "turns", actions: "actions", timers: "timers" } as const;
