import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";

/**
 * No Docker engine runs here (nor in CI), so the deployment files are checked by reading them:
 * the properties the app relies on at run time must not drift away unnoticed.
 */

const root = resolve(import.meta.dirname, "../..");
const read = (file: string) => readFileSync(resolve(root, file), "utf8");

interface ComposeService {
  command?: string[];
  environment?: Record<string, string>;
  ports?: string[];
  user?: string;
  cap_add?: string[];
  security_opt?: string[];
  env_file?: string;
  volumes?: string[];
  build?: string;
}

const compose = parse(read("compose.yaml"), { merge: true }) as {
  services: Record<string, ComposeService>;
  configs: Record<string, { content?: string }>;
};

describe("compose.yaml", () => {
  it("runs Redis 7 with AOF, noeviction and a volume", () => {
    const redis = compose.services.redis as ComposeService & { image: string };
    expect(redis.image).toMatch(/^redis:7/);
    const command = (redis.command ?? []).join(" ");
    expect(command).toContain("--appendonly yes");
    expect(command).toContain("--maxmemory-policy noeviction");
    expect(redis.volumes?.[0]).toMatch(/:\/data$/);
  });

  it("builds ingress and worker from the Dockerfile with their roles, env from .env, and Redis by name", () => {
    const { ingress, worker } = compose.services;
    expect(ingress?.build).toBe(".");
    expect(worker?.build).toBe(".");
    expect(ingress?.environment).toMatchObject({
      THREADHANDS_ROLE: "ingress",
      REDIS_URL: "redis://redis:6379",
    });
    expect(worker?.environment).toMatchObject({
      THREADHANDS_ROLE: "worker",
      REDIS_URL: "redis://redis:6379",
    });
    expect(ingress?.env_file).toBe(".env");
    expect(ingress?.ports).toContain("3000:3000");
  });

  it("gives the worker what bubblewrap and overlay checkpoints need, and the ingress none of it", () => {
    const { ingress, worker } = compose.services;
    expect(worker?.user).toBe("0:0");
    expect(worker?.cap_add).toEqual(expect.arrayContaining(["SYS_ADMIN", "NET_ADMIN"]));
    expect(worker?.security_opt).toEqual(
      expect.arrayContaining(["seccomp=unconfined", "apparmor=unconfined"]),
    );
    expect(ingress?.user).toBeUndefined();
    expect(ingress?.cap_add).toBeUndefined();
    expect(compose.configs.threadhands?.content).toMatch(/isolation:\s*namespaces/);
  });
});

describe("Dockerfile", () => {
  const dockerfile = read("Dockerfile");

  it("builds in two stages on Node 24 and installs production dependencies only", () => {
    expect(dockerfile.match(/^FROM /gm)).toHaveLength(2);
    expect(dockerfile).toMatch(/^ARG NODE_IMAGE=node:24-/m);
    expect(dockerfile).toMatch(/npm ci --omit=dev/);
    expect(dockerfile).toMatch(/^COPY --from=deps /m);
  });

  it("runs as a non-root user under an init, with a HEALTHCHECK on /healthz", () => {
    expect(dockerfile).toMatch(/^USER node$/m);
    expect(dockerfile).toMatch(/^ENTRYPOINT \["\/usr\/bin\/tini", "--"\]$/m);
    const healthcheck = /^HEALTHCHECK .*\\\n\s+CMD (\[.*\])$/m.exec(dockerfile)?.[1];
    expect(healthcheck).toBeDefined();
    const probe = JSON.parse(healthcheck ?? "[]") as string[];
    expect(probe.slice(0, 2)).toEqual(["node", "-e"]);
    expect(probe[2]).toContain("/healthz");
  });

  it("copies every folder the entry point imports from", () => {
    for (const folder of ["config", "src", "bots", "queue"]) {
      expect(dockerfile).toContain(`COPY ${folder} ./${folder}`);
    }
  });

  it("keeps .env and other local state out of the build context", () => {
    const ignored = read(".dockerignore").split("\n");
    for (const entry of [".env", ".git", "node_modules", ".threadhands"]) expect(ignored).toContain(entry);
  });
});
