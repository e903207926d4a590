import * as v from "valibot";
import { closedMessage, isOpen, type Config } from "../config";
import type { Env } from "../env";
import { readFields, type Fields } from "../http/body";
import { HttpError, type FieldErrors } from "../http/errors";
import { json, wantsJson } from "../http/negotiate";
import { EvenTiming } from "../http/even-timing";
import { limitEmailingForms } from "../http/rate-limit";
import { invalidFields, seeOther } from "../http/respond";
import { challengeErrors, TURNSTILE_WIDGET, turnstileWidget } from "../http/turnstile";
import { escapeHtml } from "../html";
import { pageContent, readContent, type PageContent } from "../pages/content";
import { dataSentence, oneBoxRules, policySentence, prizeCount, prizeNoun, productNames, productRuleSentence, rubricLines } from "../pages/contest-text";
import { renderPage } from "../pages/page";
import { contestPhase, nextDeadline, timeUntil, type Phase } from "../pages/phase";
import { PAGES } from "../pages/templates";
import { fieldErrors } from "../schemas/fields";
import { whereShipped } from "../schemas/shipping";
import { LinkRequestForm, SignupForm } from "../schemas/signup";
import { BANNED_MESSAGE } from "../schemas/bans";
import { DOMAIN_REFUSALS, domainVerdict } from "../schemas/email-domains";
import { canonicalMailbox, emailDomain } from "../schemas/mailbox";
import { registrantByEmail } from "../objects/stubs";
import { isMailboxBanned } from "../store/ban-snapshot";
import type { AppRequest } from "./context";
import { prizeSnapshot } from "./prizes";
import { publishedResults } from "./winners";

/** The signup and new-link answers take as long whether or not the address is registered (docs/decisions.md). */
const SIGNUP_TIMING = new EvenTiming(20);
const LINK_TIMING = new EvenTiming(20);

/** GET / — the landing page with the signup form and the prizes left. */
export function landing(request: AppRequest, env: Env): Promise<Response> {
  return renderLanding(request, env, {}, {}, 200);
}

/** GET /rules — generated from the settings and the organisers' content. */
export async function rules(request: AppRequest, env: Env): Promise<Response> {
  const { config } = request;
  const { pool, content, phase } = await contestState(request, env);
  return renderPage(
    request,
    config,
    PAGES.rules,
    {
      title: "Rules and terms",
      text: {
        productRule: productRuleSentence(),
        products: productNames().join(", "),
        policy: policySentence(config, pool.total),
        shipping: whereShipped(config.shipsTo),
        dataRule: dataSentence(config),
        contact: content.fields.contact,
      },
      href: { contactHref: `mailto:${content.fields.contact}` },
      html: {
        eligibility: content.html.eligibility,
        prize: content.html.prize,
        faq: content.html.faq,
        rubric: rubricLines(config).map((line) => `<tr><td>${escapeHtml(line.label)}</td><td>${line.share}%</td><td>${line.max}</td></tr>`).join(""),
        oneBoxRules: oneBoxRules(config).map((rule) => `<li>${escapeHtml(rule)}</li>`).join(""),
      },
      times: windowTimes(config),
      show: { judged: config.awardPolicy === "judged", contact: content.fields.contact !== "", phaseResults: phase === "results" },
    },
    { headers: { "cache-control": "public, max-age=300" }, social: { description: content.description, image: content.fields.prizeImage || undefined } },
  );
}

/** What the landing page and the rules say depends on: the pool, the organisers' words, the phase. */
async function contestState(request: AppRequest, env: Env): Promise<{ now: number; pool: { remaining: number; total: number }; content: PageContent; phase: Phase }> {
  const { config } = request;
  const now = Date.now();
  const [pool, results, stored] = await Promise.all([prizeSnapshot(env, config.prizePool), publishedResults(env), readContent(env)]);
  return { now, pool, content: pageContent(config, pool.total, stored), phase: contestPhase(config, now, results !== null) };
}

/**
 * POST /signup — the same answer whether the email is new or already registered, so it
 * reveals nothing about who signed up; the Registrant object decides what to email.
 */
export async function signup(request: AppRequest, env: Env): Promise<Response> {
  const { config } = request;
  if (!isOpen(config.registration)) {
    throw new HttpError(403, "window_closed", closedMessage(config.registration, "Registration"));
  }
  await limitEmailingForms(request, env);
  const body = await readFields(request, config.maxBodyBytes);
  const parsed = v.safeParse(SignupForm, body);
  if (!parsed.success) {
    return invalidFields(request, fieldErrors(parsed.issues), (errors) => renderLanding(request, env, body, errors, 422));
  }
  const { firstname, lastname, email } = parsed.output;
  // Refused before any object is reached: a refused signup stores nothing anywhere.
  const verdict = domainVerdict(emailDomain(email), config);
  if (verdict !== "allowed") {
    return invalidFields(request, { email: DOMAIN_REFUSALS[verdict] }, (errors) => renderLanding(request, env, body, errors, 422));
  }
  await refuseBanned(env, canonicalMailbox(email, config.emailCanonical));
  const challenge = await challengeErrors(request, body, config);
  if (challenge) return invalidFields(request, challenge, (errors) => renderLanding(request, env, body, errors, 422));
  const timing = SIGNUP_TIMING.start();
  const outcome = await registrantByEmail(env, email, config.emailCanonical).register({ firstname, lastname, email });
  // A new registrant's object is made on the spot: a repeat signup would answer sooner.
  await timing.done(outcome === "registered");
  return checkInbox(request, "signup", `If ${email} can enter, a personal submission link is on its way to it.`);
}

/**
 * POST /link — a registered entrant who lost their link gets a new one, while they can
 * still use it. The answer is the same whether or not the email is registered.
 */
export async function requestLink(request: AppRequest, env: Env): Promise<Response> {
  const { config } = request;
  if (!linkRecoveryOpen(config)) {
    const notYet = Date.now() < config.registration.opens;
    throw new HttpError(403, "window_closed", notYet ? closedMessage(config.registration, "Registration") : closedMessage(config.submission, "The submission window"));
  }
  // The body is read first, so that a visitor past the limit gets the form back as they typed it.
  const body = await readFields(request, config.maxBodyBytes);
  try {
    await limitEmailingForms(request, env, "link");
  } catch (error) {
    if (!(error instanceof HttpError) || wantsJson(request)) throw error;
    return renderLinkForm(request, body, { email: `${error.message} Wait a minute, then send it again: nothing was sent yet.` }, error.status, error.headers);
  }
  const parsed = v.safeParse(LinkRequestForm, body);
  if (!parsed.success) {
    return invalidFields(request, fieldErrors(parsed.issues), (errors) => renderLinkForm(request, body, errors, 422));
  }
  const { email } = parsed.output;
  const timing = LINK_TIMING.start();
  const outcome = await registrantByEmail(env, email, config.emailCanonical).resendLink();
  // An address nobody registered reaches an object made on the spot: a known one would answer sooner.
  await timing.done(outcome === "not_registered");
  return checkInbox(request, "link", `If ${email} is signed up, a new submission link is on its way to it.`);
}

/** 403 `banned` when the ban list names the mailbox or its domain (one KV read: docs/decisions.md). */
async function refuseBanned(env: Env, mailbox: string): Promise<void> {
  if (await isMailboxBanned(env.SNAPSHOTS, mailbox)) throw new HttpError(403, "banned", BANNED_MESSAGE);
}

/** GET /link — the form to ask for a new link. */
export function linkForm(request: AppRequest): Response {
  return renderLinkForm(request, {}, {}, 200);
}

function renderLinkForm(request: AppRequest, fields: Fields, errors: FieldErrors, status: number, headers?: Record<string, string>): Response {
  const { config } = request;
  const now = Date.now();
  const open = linkRecoveryOpen(config, now);
  return renderPage(
    request,
    config,
    PAGES.link,
    {
      title: "Get your link again",
      fields: { email: fields.email },
      errors,
      show: {
        linkRecovery: open,
        linkRecoveryNotYet: !open && now < config.registration.opens,
        linkRecoveryOver: !open && now >= config.registration.opens,
      },
    },
    { status, headers },
  );
}

/** A link is worth having while one can still sign up or submit. */
function linkRecoveryOpen(config: Config, now = Date.now()): boolean {
  return isOpen(config.registration, now) || isOpen(config.submission, now);
}

/** What the check-your-inbox page says after each form; it names no address (anyone can open it). */
const CHECK_INBOX = {
  signup: "If the address you gave can enter, a personal submission link is on its way to it.",
  link: "If the address you gave is signed up, a new submission link is on its way to it.",
} as const;

/** A signup or new-link form went through: JSON clients get the message, browsers the check-your-inbox page. */
function checkInbox(request: AppRequest, form: keyof typeof CHECK_INBOX, message: string): Response {
  if (wantsJson(request)) return json({ status: "check_inbox", message }, 202);
  return seeOther(`/check-inbox?after=${form}`);
}

/** GET /check-inbox — where a browser lands after signing up or asking for a new link. */
export function checkInboxPage(request: AppRequest): Response {
  const { config } = request;
  const after = request.query.after === "link" ? "link" : "signup";
  return renderPage(request, config, PAGES.checkInbox, {
    title: "Check your inbox",
    text: { message: CHECK_INBOX[after] },
    show: { development: config.environment === "development" },
  });
}

/** GET /signup — the form's address, opened again: the form is on the landing page. */
export function signupForm(): Response {
  return seeOther("/#signup-heading");
}

async function renderLanding(
  request: AppRequest,
  env: Env,
  fields: Fields,
  errors: FieldErrors,
  status: number,
): Promise<Response> {
  const { config } = request;
  const { now, pool, content, phase } = await contestState(request, env);
  const registrationOpen = phase === "registration";
  // The widget sits in the signup form, which is shown only while registration is open.
  const widgetOn = config.turnstile !== null && registrationOpen;
  const deadline = nextDeadline(config, now);
  return renderPage(
    request,
    config,
    PAGES.landing,
    {
      title: config.contestName,
      text: {
        prizePool: pool.total,
        prizesLeft: pool.remaining,
        prizesNoun: prizeNoun(config, pool.remaining),
        productRule: productRuleSentence(),
        policy: policySentence(config, pool.total),
        deadlineLabel: deadline?.label ?? "",
        countdown: deadline ? timeUntil(deadline.at, now) : "",
        judgingNews:
          config.awardPolicy === "first_come"
            ? `The ${prizeCount(config, pool.total)} went to the first valid submissions, and their winners have been emailed.`
            : "The judges are scoring the entries; the winners are emailed, and the results published here.",
      },
      times: { ...windowTimes(config), ...(deadline && { deadline: deadline.at }) },
      // Only what the visitor typed goes back into the form, never a stored value.
      fields: {
        firstname: fields.firstname,
        lastname: fields.lastname,
        email: fields.email,
        accept_rules: fields.accept_rules,
      },
      errors,
      html: { turnstile: turnstileWidget(config), intro: content.html.intro, prize: content.html.prize },
      attributes: {
        prizesNoun: { "data-one": config.prizeName.one, "data-many": config.prizeName.many },
        ...(deadline && { countdown: { "data-countdown": new Date(deadline.at).toISOString() } }),
        ...(content.fields.prizeImage && { prizeImage: { "data-src": content.fields.prizeImage } }),
      },
      show: {
        headerName: false,
        turnstile: config.turnstile !== null,
        registrationOpen,
        countdown: deadline !== null && phase !== "results",
        // How to take part, while one still can sign up.
        howItWorks: phase === "upcoming" || phase === "registration",
        phaseUpcoming: phase === "upcoming",
        phaseBetween: phase === "between",
        phaseSubmission: phase === "submission",
        phaseJudging: phase === "judging",
        phaseResults: phase === "results",
        linkRecovery: linkRecoveryOpen(config, now),
        prizeImage: content.fields.prizeImage !== "",
      },
    },
    {
      status,
      headers: status === 200 ? { "cache-control": "public, max-age=60" } : {},
      social: { description: content.description, image: content.fields.prizeImage || undefined },
      ...(widgetOn && { widget: TURNSTILE_WIDGET }),
    },
  );
}

export function windowTimes(config: Config): Record<string, number> {
  return {
    registrationOpens: config.registration.opens,
    registrationCloses: config.registration.closes,
    submissionOpens: config.submission.opens,
    submissionCloses: config.submission.closes,
  };
}
