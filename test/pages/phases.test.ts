/**
 * Every phase of a contest, with the clock set through the configuration's windows: the
 * landing page and the rules say what an entrant can do now, offer only the forms that
 * work now, and count down to the next deadline.
 */
import { describe, expect, it } from "vitest";
import { send } from "../helpers";
import { ORGANISER } from "../judges/helpers";

const PAST = { open: "2020-01-01T00:00:00Z", close: "2020-02-01T00:00:00Z" };
const FUTURE = { open: "2099-01-01T00:00:00Z", close: "2099-02-01T00:00:00Z" };

const PHASES = {
  upcoming: { REGISTRATION_OPENS: FUTURE.open, REGISTRATION_CLOSES: FUTURE.close, SUBMISSION_OPENS: FUTURE.open, SUBMISSION_CLOSES: "2099-03-01T00:00:00Z" },
  registration: {},
  between: { REGISTRATION_OPENS: PAST.open, REGISTRATION_CLOSES: PAST.close, SUBMISSION_OPENS: FUTURE.open, SUBMISSION_CLOSES: FUTURE.close },
  submission: { REGISTRATION_OPENS: PAST.open, REGISTRATION_CLOSES: PAST.close, SUBMISSION_OPENS: PAST.open, SUBMISSION_CLOSES: FUTURE.close },
  judging: { REGISTRATION_OPENS: PAST.open, REGISTRATION_CLOSES: PAST.close, SUBMISSION_OPENS: PAST.open, SUBMISSION_CLOSES: PAST.close },
};

const SIGNUP_FORM = '<form method="post" action="/signup"';

async function page(path: string, vars: Record<string, string>): Promise<string> {
  const response = await send(path, { vars });
  expect(response.status, path).toBe(200);
  return response.text();
}

describe("the landing page in each phase", () => {
  it("before opening: when registration opens, a countdown to it, and no form", async () => {
    const html = await page("/", PHASES.upcoming);
    expect(html).toContain("Registration opens <time");
    expect(html).toMatch(/Come back then to sign up/);
    expect(html).toMatch(/<span data-text="deadlineLabel">Registration opens<\/span> in <strong[^>]* data-countdown="2099-01-01T00:00:00.000Z">\d+ days/);
    expect(html).not.toContain(SIGNUP_FORM);
    expect(html).not.toContain('href="/link"');
  });

  it("while registration is open: the signup form, and a countdown to the next deadline", async () => {
    const html = await page("/", PHASES.registration);
    expect(html).toContain(SIGNUP_FORM);
    expect(html).toMatch(/data-text="deadlineLabel">Registration closes</);
    expect(html).toContain('href="/link"');
    expect(html).not.toMatch(/Registration is closed|Submissions are closed|results are out/);
  });

  it("registration closed, submissions not open yet: when they open, no form", async () => {
    const html = await page("/", PHASES.between);
    expect(html).toContain("Registration is closed. Submissions open <time");
    expect(html).toMatch(/data-text="deadlineLabel">Submissions open</);
    expect(html).not.toContain(SIGNUP_FORM);
  });

  it("registration closed, submissions open: who can still submit and until when, and the new-link page", async () => {
    const html = await page("/", PHASES.submission);
    expect(html).toContain("Entrants who signed up can submit until <time");
    expect(html).toMatch(/data-text="deadlineLabel">Submissions close</);
    expect(html).toContain('href="/link"');
    expect(html).not.toContain(SIGNUP_FORM);
    expect(html).not.toContain("Thank you to everyone who took part");
    expect(html).not.toContain("Sign up with your name");
  });

  it("judging: submissions are closed, the judges are at work; no form, no countdown, no link recovery", async () => {
    const html = await page("/", PHASES.judging);
    expect(html).toContain("Submissions are closed. <span data-text=\"judgingNews\">The judges are scoring the entries");
    expect(html).not.toContain(SIGNUP_FORM);
    expect(html).not.toContain('data-text="countdown"');
    expect(html).not.toContain('href="/link"');
    expect(html).not.toContain("see the winners");
  });

  it("results announced: the winners page and thanks, on the landing page and the rules", async () => {
    const publish = await send("/admin/api/results", { method: "POST", json: {}, acceptJson: true, headers: { authorization: `Bearer ${ORGANISER}` }, vars: PHASES.judging });
    expect(publish.status).toBe(200);
    try {
      const html = await page("/", PHASES.judging);
      expect(html).toContain('The results are out: <a href="/winners">see the winners</a>. Thank you to everyone who took part.');
      expect(html).not.toContain(SIGNUP_FORM);
      expect(html).not.toContain("The judges are scoring");
      expect(await page("/rules", PHASES.judging)).toContain('<a href="/winners">see the winners</a>');
    } finally {
      await send("/admin/api/results", { method: "DELETE", acceptJson: true, headers: { authorization: `Bearer ${ORGANISER}` } });
    }
  });

  it("under first come: says the prizes went to the first valid submissions once submissions close", async () => {
    const html = await page("/", { ...PHASES.judging, AWARD_POLICY: "first_come" });
    expect(html).toContain("went to the first valid submissions");
    expect(html).not.toContain("The judges are scoring");
  });
});

describe("the rules in each phase", () => {
  it.each(Object.entries(PHASES))("%s: the windows in UTC and in the visitor's zone, and the policy", async (_phase, vars) => {
    const html = await page("/rules", vars);
    const closes = (vars as { SUBMISSION_CLOSES?: string }).SUBMISSION_CLOSES ?? "2030-12-31T23:59:59Z";
    const iso = new Date(closes).toISOString();
    expect(html).toContain(`<time data-zone="utc" data-time="submissionCloses" datetime="${iso}">`);
    expect(html).toMatch(new RegExp(`<time data-time="submissionCloses" datetime="${iso.replace(/\./g, "\\.")}">[^<]+</time>`));
    expect(html).toContain("Judges score every submission");
    expect(html).not.toContain("see the winners");
  });
});
