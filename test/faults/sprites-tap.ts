import { createServer, request as httpRequest, type Server } from "node:http";
import { connect } from "node:net";

/** One exec WebSocket as the tap saw it pass: which worker's door, which Sprite, when. */
export interface TappedExec {
  via: string;
  sprite: string;
  /** When the upgrade request arrived: the command cannot have started earlier. */
  openedAt: number;
  /**
   * When the Sprite last sent bytes (its exit frame, then its close frame). Anything that acts on
   * this command's result happens later, so it bounds the command causally; the TCP close, which
   * lags the close handshake, would not.
   */
  lastAnswerAt: number | undefined;
}

export interface TappedRequest {
  via: string;
  method: string;
  path: string;
  at: number;
}

export interface SpritesTap {
  readonly execs: TappedExec[];
  readonly requests: TappedRequest[];
  /** A base URL for one worker's SPRITES_API_URL; what passes through it is tagged `via`. */
  door(via: string): Promise<string>;
  close(): Promise<void>;
}

/**
 * A recording reverse proxy in front of one Sprites API: every worker gets its own door, so the
 * test learns which worker drove which Sprite and when, without trusting the workers' own logs
 * and without changing the fake. HTTP is forwarded request by request; exec upgrades are piped.
 */
export function createSpritesTap(targetUrl: string): SpritesTap {
  const target = new URL(targetUrl);
  const host = target.hostname;
  const port = Number(target.port);
  const execs: TappedExec[] = [];
  const requests: TappedRequest[] = [];
  const servers: Server[] = [];
  // Upgraded sockets leave the HTTP server's bookkeeping; close() ends them itself.
  const piped = new Set<{ destroy(): void }>();

  async function door(via: string): Promise<string> {
    const server = createServer((req, res) => {
      requests.push({ via, method: req.method ?? "GET", path: req.url ?? "/", at: Date.now() });
      const upstream = httpRequest(
        { host, port, method: req.method, path: req.url, headers: req.headers },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      upstream.on("error", () => res.destroy());
      req.pipe(upstream);
    });
    server.on("upgrade", (req, socket, head) => {
      const sprite = decodeURIComponent(/^\/v1\/sprites\/([^/?]+)\/exec/.exec(req.url ?? "")?.[1] ?? "");
      const exec: TappedExec = { via, sprite, openedAt: Date.now(), lastAnswerAt: undefined };
      execs.push(exec);
      const upstream = connect(port, host, () => {
        const headLines = [`${req.method} ${req.url} HTTP/${req.httpVersion}`];
        for (let index = 0; index < req.rawHeaders.length; index += 2) {
          headLines.push(`${req.rawHeaders[index]}: ${req.rawHeaders[index + 1]}`);
        }
        upstream.write(`${headLines.join("\r\n")}\r\n\r\n`);
        if (head.length > 0) upstream.write(head);
        socket.pipe(upstream);
      });
      upstream.on("data", (chunk: Buffer) => {
        exec.lastAnswerAt = Date.now();
        socket.write(chunk);
      });
      piped.add(upstream);
      piped.add(socket);
      const hangUp = () => {
        upstream.destroy();
        socket.destroy();
        piped.delete(upstream);
        piped.delete(socket);
      };
      upstream.on("close", hangUp);
      upstream.on("error", hangUp);
      socket.on("close", hangUp);
      socket.on("error", hangUp);
    });
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const address = server.address();
    if (!address || typeof address === "string") throw new Error("the tap has no port");
    return `http://127.0.0.1:${address.port}`;
  }

  return {
    execs,
    requests,
    door,
    async close() {
      for (const socket of piped) socket.destroy();
      await Promise.all(
        servers.map(
          (server) =>
            new Promise<void>((resolve) => {
              server.closeAllConnections();
              server.close(() => resolve());
            }),
        ),
      );
    },
  };
}
