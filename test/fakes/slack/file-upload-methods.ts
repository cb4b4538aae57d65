import { randomBytes } from "node:crypto";
import type { FileUpload, SlackMethodContext, SlackMethodHandler } from "./slack-method-context.ts";
import { slackError, stringArg } from "./slack-method-context.ts";

/**
 * The files.uploadV2 flow of @slack/web-api: (1) files.getUploadURLExternal hands out an
 * upload URL and a file id, (2) the client POSTs the bytes to that URL (not under /api/),
 * (3) files.completeUploadExternal shares the uploaded files, optionally into a thread.
 */

const MIME_TYPES: Record<string, string> = {
  txt: "text/plain",
  log: "text/plain",
  md: "text/markdown",
  json: "application/json",
  png: "image/png",
  gz: "application/gzip",
};

function fileObject(upload: FileUpload, context: SlackMethodContext): Record<string, unknown> {
  const extension = upload.filename.includes(".") ? (upload.filename.split(".").pop() ?? "") : "";
  const created = Math.floor(Date.now() / 1000);
  const base = `https://files.slack.com/files-pri/${context.identity.teamId}-${upload.fileId}`;
  return {
    id: upload.fileId,
    created,
    timestamp: created,
    name: upload.filename,
    title: upload.title ?? upload.filename,
    mimetype: MIME_TYPES[extension] ?? "application/octet-stream",
    filetype: extension || "binary",
    user: context.identity.botUserId,
    user_team: context.identity.teamId,
    size: upload.bytes?.length ?? upload.length,
    mode: "hosted",
    is_external: false,
    is_public: false,
    url_private: `${base}/${upload.filename}`,
    url_private_download: `${base}/download/${upload.filename}`,
    permalink: `https://${context.identity.teamDomain}.slack.com/files/${context.identity.botUserId}/${upload.fileId}/${upload.filename}`,
  };
}

export const fileUploadMethods: Record<string, SlackMethodHandler> = {
  "files.getUploadURLExternal": (args, context) => {
    const filename = stringArg(args, "filename");
    const length = Number(stringArg(args, "length"));
    if (!filename || !Number.isInteger(length) || length < 1) return slackError("invalid_arguments");
    const fileId = `F${randomBytes(5).toString("hex").toUpperCase()}`;
    const uploadUrl = context.uploadUrlFor(fileId);
    context.uploads.set(fileId, {
      fileId,
      filename,
      length,
      uploadUrl,
      bytes: undefined,
      contentType: undefined,
      completed: false,
      title: undefined,
      channel: undefined,
      threadTs: undefined,
      initialComment: undefined,
    });
    return { ok: true, upload_url: uploadUrl, file_id: fileId };
  },

  "files.completeUploadExternal": (args, context, meta) => {
    if (meta.invalidJsonFields.includes("files") || !Array.isArray(args.files) || args.files.length === 0) {
      return slackError("invalid_arguments");
    }
    const uploads: FileUpload[] = [];
    for (const entry of args.files as Array<{ id?: unknown; title?: unknown }>) {
      const upload = typeof entry?.id === "string" ? context.uploads.get(entry.id) : undefined;
      // Completing a file whose bytes never arrived fails on Slack too.
      if (!upload || upload.bytes === undefined) return slackError("file_not_found");
      if (typeof entry.title === "string") upload.title = entry.title;
      uploads.push(upload);
    }
    const channel = stringArg(args, "channel_id") ?? stringArg(args, "channels");
    const threadTs = stringArg(args, "thread_ts");
    const initialComment = stringArg(args, "initial_comment");
    for (const upload of uploads) {
      upload.completed = true;
      upload.channel = channel;
      upload.threadTs = threadTs;
      upload.initialComment = initialComment;
    }
    const files = uploads.map((upload) => fileObject(upload, context));
    if (channel) {
      // Sharing posts a message carrying the files, which the thread then shows.
      context.store.add(channel, {
        thread_ts: threadTs,
        text: initialComment ?? "",
        blocks: Array.isArray(args.blocks) ? args.blocks : undefined,
        user: context.identity.botUserId,
        bot_id: context.identity.botId,
        files,
      });
    }
    return { ok: true, files: files.map((file) => ({ id: file.id, title: file.title })) };
  },
};
