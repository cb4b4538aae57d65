/**
 * The workspace and bot identity shared by the fake Web API and the event/interaction builders,
 * so a signed event mentions the same bot user that auth.test reports.
 */
export interface SlackIdentity {
  botUserId: string;
  botId: string;
  teamId: string;
  appId: string;
  teamDomain: string;
  teamName: string;
  botName: string;
}

export const DEFAULT_SLACK_IDENTITY: SlackIdentity = {
  botUserId: "U0TESTBOT1",
  botId: "B0TESTBOT1",
  teamId: "T0TESTTEAM",
  appId: "A0TESTAPP1",
  teamDomain: "threadhands-test",
  teamName: "threadhands test",
  botName: "threadhands",
};

/** The deprecated verification token Slack still puts in every payload. */
export const VERIFICATION_TOKEN = "fake-verification-token";
