# syntax=docker/dockerfile:1
# threadhands: one image, role chosen by THREADHANDS_ROLE (all | ingress | worker).
FROM node:24-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund

FROM node:24-bookworm-slim
# bubblewrap: the local sandbox's namespaces; git and curl: what investigations usually need.
RUN apt-get update \
  && apt-get install -y --no-install-recommends bubblewrap git curl ca-certificates \
  && rm -rf /var/lib/apt/lists/*
WORKDIR /app
ENV NODE_ENV=production THREADHANDS_DATA_DIR=/data
COPY --from=deps /app/node_modules ./node_modules
COPY package.json ./
COPY config ./config
COPY src ./src
COPY bots ./bots
COPY queue ./queue
RUN mkdir -p /data && chown node:node /data
USER node
EXPOSE 3000
CMD ["node", "src/main.ts"]
