# syntax=docker/dockerfile:1
# threadhands: one image, role chosen by THREADHANDS_ROLE (all | ingress | worker).
# Production builds should pin the base by digest (node:24-bookworm-slim@sha256:…) for
# reproducible rebuilds; the tag is kept here so security updates arrive with a rebuild.
ARG NODE_IMAGE=node:24-bookworm-slim

FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts: the only install scripts are tree-sitter-bash's (node-gyp-build for a native
# addon we never load: the policy uses its .wasm through web-tree-sitter) and msgpackr-extract's
# (optional; its prebuilt platform package installs without one). No dependency's code runs at
# build time, and the slim image needs no compiler.
RUN --mount=type=cache,target=/root/.npm \
  npm ci --omit=dev --ignore-scripts --no-audit --no-fund

FROM ${NODE_IMAGE}
# bubblewrap and setpriv (util-linux): the local sandbox's namespaces and its uid switch; socat: its egress relay.
# git and curl: what investigations usually need inside the sandbox (it sees the image's /usr).
# tini: PID 1 that forwards SIGTERM to node and reaps the sandboxes' orphaned processes, which
# node as PID 1 would leave as zombies.
RUN apt-get update \
  && apt-get install -y --no-install-recommends bubblewrap socat util-linux git curl ca-certificates tini \
  && rm -rf /var/lib/apt/lists/*
WORKDIR /app
ENV NODE_ENV=production THREADHANDS_DATA_DIR=/data PORT=3000
# Code and dependencies stay owned by root: the app cannot rewrite itself.
COPY --from=deps /app/node_modules ./node_modules
COPY package.json ./
COPY config ./config
COPY src ./src
COPY bots ./bots
COPY queue ./queue
RUN mkdir -p /data && chown node:node /data
# Non-root by default (ingress needs nothing more). The worker's isolated sandboxes need root in
# the container for overlay mounts (src/sandbox/local/isolated-backend.ts); compose.yaml runs the
# worker as uid 0 with the extra capabilities, and every command still runs as the sandbox's own
# unprivileged uid with an empty capability set.
USER node
EXPOSE 3000
# Liveness on the process's own port, with node itself (no curl dependency for the probe).
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch(`http://127.0.0.1:${process.env.PORT || 3000}/healthz`, { signal: AbortSignal.timeout(2500) }).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["/usr/bin/tini", "--"]
# Node 24 runs the .ts sources directly (type stripping); there is no build step.
CMD ["node", "src/main.ts"]
