import { afterEach, describe, expect, it } from "vitest";
import {
  alice,
  aliceElsewhere,
  bob,
  type CredentialsHarness,
  startCredentialsHarness,
} from "./credentials-harness.ts";

describe("linking an account through the OAuth callback", () => {
  let harness: CredentialsHarness;
  afterEach(async () => harness?.close());

  it("links GitHub end to end with PKCE and hands the token to Alice's exec as GH_TOKEN and GITHUB_TOKEN", async () => {
    harness = await startCredentialsHarness();
    const callback = await harness.authorize(alice, "alice-gh");
    const code = new URL(callback).searchParams.get("code") ?? "";
    const page = await harness.openCallback(callback);

    expect(page.status).toBe(200);
    expect(page.html).toContain("Linked GitHub as @alice-gh — you can close this tab.");
    expect(page.html).not.toContain(code);
    expect(harness.linked).toMatchObject([{ owner: alice, provider: "github", login: "alice-gh" }]);

    const authorizeRequest = harness.fake.requests.find((r) => r.path.startsWith("/authorize"));
    const query = new URL(authorizeRequest?.path ?? "", "http://x").searchParams;
    expect(query.get("code_challenge_method")).toBe("S256");
    expect(query.get("scope")).toBe("repo read:org");
    const tokenCall = harness.fake.requests.find((r) => r.path === "/token");
    // GitHub answers form-encoded unless asked for JSON.
    expect(tokenCall?.headers.accept).toContain("application/json");
    const tokenRequest = new URLSearchParams(tokenCall?.body);
    expect(tokenRequest.get("code_verifier")).toMatch(/^[\w-]{43,}$/);

    const resolved = await harness.broker.resolve({ owner: alice, providers: ["github"] });
    if (!resolved.ok) throw new Error("expected Alice's token");
    expect(harness.fake.isActive(resolved.env.GH_TOKEN ?? "")).toBe(true);
    expect(resolved.env.GITHUB_TOKEN).toBe(resolved.env.GH_TOKEN);
    expect(resolved.secrets).toEqual([resolved.env.GH_TOKEN]);
  });

  it("tells Bob how to link when he has not, and says so for an unknown provider too", async () => {
    harness = await startCredentialsHarness();
    await harness.link(alice);
    const resolved = await harness.broker.resolve({
      owner: bob,
      providers: ["github", "gitlab"],
      userLabel: "<@UBOB>",
    });
    expect(resolved).toMatchObject({
      ok: false,
      missing: [
        {
          provider: "github",
          reason: "not_linked",
          message: expect.stringContaining("<@UBOB> has not linked GitHub"),
        },
        { provider: "gitlab", reason: "unknown_provider" },
      ],
    });
    if (!resolved.ok) expect(resolved.missing[0]?.linkHint).toContain("link github");
  });

  it("refuses a state that has expired", async () => {
    let clock = Date.now();
    harness = await startCredentialsHarness({ now: () => clock });
    const callback = await harness.authorize(alice);
    clock += 11 * 60_000;
    const page = await harness.openCallback(callback);
    expect(page.status).toBe(400);
    expect(page.html).toContain("expired");
    expect(await harness.vault.load(alice, "github")).toBeUndefined();
  });

  it("refuses a replayed state, and the replay does not overwrite the first link", async () => {
    harness = await startCredentialsHarness();
    const callback = await harness.authorize(alice);
    expect((await harness.openCallback(callback)).status).toBe(200);
    const first = await harness.vault.load(alice, "github");
    const replay = await harness.openCallback(callback);
    expect(replay.status).toBe(400);
    expect(replay.html).toContain("already used");
    expect((await harness.vault.load(alice, "github"))?.accessToken).toBe(first?.accessToken);
  });

  it("refuses a state nobody issued, and one with no state at all", async () => {
    harness = await startCredentialsHarness();
    const forged = await harness.openCallback(`${harness.appUrl}/oauth/github/callback?code=x&state=forged`);
    expect(forged.status).toBe(400);
    expect(forged.html).toContain("not known");
    const bare = await harness.openCallback(`${harness.appUrl}/oauth/github/callback?code=x`);
    expect(bare.status).toBe(400);
  });

  it("links a state made for Alice to Alice only, whoever opens the callback", async () => {
    harness = await startCredentialsHarness();
    // Bob's browser finishes Alice's link: the record, not the browser, names the owner.
    const callback = await harness.authorize(alice, "bob-gh");
    expect((await harness.openCallback(callback)).status).toBe(200);
    expect(harness.linked[0]?.owner).toEqual(alice);
    expect(await harness.vault.load(bob, "github")).toBeUndefined();
    expect(await harness.vault.load(aliceElsewhere, "github")).toBeUndefined();
  });

  it("refuses to complete Alice's state for Bob or for Alice in another workspace, and burns it", async () => {
    harness = await startCredentialsHarness();
    const forBob = await harness.linking.completeLink(await harness.authorize(alice), { expectedOwner: bob });
    expect(forBob).toMatchObject({ ok: false, code: "owner_mismatch" });
    const elsewhere = await harness.authorize(alice);
    const intoOtherWorkspace = await harness.linking.completeLink(elsewhere, {
      expectedOwner: aliceElsewhere,
    });
    expect(intoOtherWorkspace).toMatchObject({ ok: false, code: "owner_mismatch" });
    expect(await harness.linking.completeLink(elsewhere, { expectedOwner: alice })).toMatchObject({
      code: "state_used",
    });
    expect(await harness.vault.load(alice, "github")).toBeUndefined();
    expect(await harness.vault.load(aliceElsewhere, "github")).toBeUndefined();
  });

  it("refuses a state delivered to another provider's callback path", async () => {
    harness = await startCredentialsHarness();
    const callback = new URL(await harness.authorize(alice));
    callback.pathname = "/oauth/gitlab/callback";
    const page = await harness.openCallback(callback.toString());
    expect(page.status).toBe(400);
    expect(await harness.vault.load(alice, "github")).toBeUndefined();
  });

  it("shows a clear page when the user denies access or the code is rejected", async () => {
    harness = await startCredentialsHarness({ githubStyleErrors: true });
    const denied = new URL(await harness.authorize(alice));
    denied.searchParams.delete("code");
    denied.searchParams.set("error", "access_denied");
    const deniedPage = await harness.openCallback(denied.toString());
    expect(deniedPage.status).toBe(400);
    expect(deniedPage.html).toContain("did not grant access");

    const badCode = new URL(await harness.authorize(alice));
    badCode.searchParams.set("code", "not-a-real-code");
    const badPage = await harness.openCallback(badCode.toString());
    expect(badPage.status).toBe(400);
    expect(badPage.html).toContain("refused the sign-in (invalid_grant)");
    expect(badPage.html).not.toContain("not-a-real-code");
  });

  it("revokes the GitHub grant on disconnect and forgets the token", async () => {
    harness = await startCredentialsHarness();
    await harness.link(alice);
    const token = (await harness.vault.load(alice, "github"))?.accessToken ?? "";
    expect(await harness.linking.disconnect(alice, "github")).toEqual({
      ok: true,
      revoked: true,
      wasLinked: true,
    });
    const revoke = harness.fake.requests.find((r) => r.method === "DELETE");
    expect(revoke?.path).toBe(`/applications/${harness.fake.clientId}/grant`);
    expect(revoke?.headers.authorization).toMatch(/^Basic /);
    expect(harness.fake.isActive(token)).toBe(false);
    expect(await harness.vault.load(alice, "github")).toBeUndefined();
    expect(await harness.linking.disconnect(alice, "github")).toEqual({
      ok: true,
      revoked: false,
      wasLinked: false,
    });
  });

  it("revokes refresh and access tokens at an RFC 7009 endpoint on disconnect", async () => {
    harness = await startCredentialsHarness({ type: "oauth2" });
    await harness.link(alice);
    const token = await harness.vault.load(alice, "github");
    expect(await harness.linking.disconnect(alice, "github")).toMatchObject({ ok: true, revoked: true });
    const revoked = harness.fake.requests
      .filter((r) => r.path === "/revoke")
      .map((r) => new URLSearchParams(r.body).get("token"));
    expect(revoked).toEqual([token?.refreshToken, token?.accessToken]);
    expect(harness.fake.requests.find((r) => r.path === "/revoke")?.headers.authorization).toMatch(/^Basic /);
  });

  it("answers 404 off the callback path and 405 for a POST", async () => {
    harness = await startCredentialsHarness();
    expect((await fetch(`${harness.appUrl}/oauth/github/other`)).status).toBe(404);
    expect((await fetch(`${harness.appUrl}/oauth/github/callback`, { method: "POST" })).status).toBe(405);
  });

  it("lets exactly one of two simultaneous callbacks with the same state link", async () => {
    harness = await startCredentialsHarness();
    const callback = await harness.authorize(alice);
    const pages = await Promise.all([harness.openCallback(callback), harness.openCallback(callback)]);
    expect(pages.map((page) => page.status).sort()).toEqual([200, 400]);
    expect(harness.fake.requests.filter((r) => r.path === "/token")).toHaveLength(1);
  });

  it("hands onLinked the thread the link was started from, so the bot can confirm there", async () => {
    harness = await startCredentialsHarness();
    const thread = {
      platform: "slack",
      workspace: "T1",
      channel: "C1",
      thread: "1700000000.000100",
    } as const;
    const started = await harness.linking.startLink({
      owner: alice,
      provider: "github",
      redirectBaseUrl: harness.appUrl,
      thread,
    });
    if (!started.ok) throw new Error(started.message);
    expect(new URL(started.url).searchParams.get("redirect_uri")).toBe(
      `${harness.appUrl}/oauth/github/callback`,
    );
    await harness.openCallback(await harness.fake.authorize(started.url));
    expect(harness.linked[0]?.thread).toEqual(thread);
    const unknown = await harness.linking.startLink({
      owner: alice,
      provider: "gitlab",
      redirectBaseUrl: harness.appUrl,
    });
    expect(unknown).toMatchObject({ ok: false, reason: "unknown_provider" });
  });
});
