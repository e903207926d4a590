import * as v from "valibot";
import { closedMessage, isOpen, type Config } from "../config";
import type { Env } from "../env";
import { readFields, type Fields } from "../http/body";
import { HttpError, type FieldErrors } from "../http/errors";
import { json, wantsJson } from "../http/negotiate";
import { EvenTiming } from "../http/even-timing";
import { limitEmailingForms } from "../http/rate-limit";
import { invalidFields } from "../http/respond";
import { challengeErrors, TURNSTILE_WIDGET, turnstileWidget } from "../http/turnstile";
import { renderPage } from "../pages/page";
import { PAGES } from "../pages/templates";
import { fieldErrors } from "../schemas/fields";
import { LinkRequestForm, SignupForm } from "../schemas/signup";
import { BANNED_MESSAGE } from "../schemas/bans";
import { DOMAIN_REFUSALS, domainVerdict } from "../schemas/email-domains";
import { canonicalMailbox, emailDomain } from "../schemas/mailbox";
import { registrantByEmail } from "../objects/stubs";
import { isMailboxBanned } from "../store/ban-snapshot";
import type { AppRequest } from "./context";
import { prizeSnapshot } from "./prizes";

/** The signup and new-link answers take as long whether or not the address is registered (docs/decisions.md). */
const SIGNUP_TIMING = new EvenTiming(20);
const LINK_TIMING = new EvenTiming(20);

/** GET / — the landing page with the signup form and the prizes left. */
export function landing(request: AppRequest, env: Env): Promise<Response> {
  return renderLanding(request, env, {}, {}, 200);
}

/** GET /rules. */
export function rules(request: AppRequest): Response {
  const { config } = request;
  return renderPage(
    request,
    config,
    PAGES.rules,
    {
      title: "Rules and terms",
      text: { prizePool: config.prizePool },
      times: windowTimes(config),
      show: { onePerAddressReview: config.oneBoxPerAddress === "review", onePerAddressRefuse: config.oneBoxPerAddress === "refuse" },
    },
    { headers: { "cache-control": "public, max-age=300" } },
  );
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
  return checkInbox(request, `If ${email} can enter, a personal submission link is on its way to it.`);
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
  await limitEmailingForms(request, env);
  const body = await readFields(request, config.maxBodyBytes);
  const parsed = v.safeParse(LinkRequestForm, body);
  if (!parsed.success) {
    return invalidFields(request, fieldErrors(parsed.issues), (errors) => renderLinkForm(request, body, errors, 422));
  }
  const { email } = parsed.output;
  const timing = LINK_TIMING.start();
  const outcome = await registrantByEmail(env, email, config.emailCanonical).resendLink();
  // An address nobody registered reaches an object made on the spot: a known one would answer sooner.
  await timing.done(outcome === "not_registered");
  return checkInbox(request, `If ${email} is signed up, a new submission link is on its way to it.`);
}

/** 403 `banned` when the ban list names the mailbox or its domain (one KV read: docs/decisions.md). */
async function refuseBanned(env: Env, mailbox: string): Promise<void> {
  if (await isMailboxBanned(env.SNAPSHOTS, mailbox)) throw new HttpError(403, "banned", BANNED_MESSAGE);
}

/** GET /link — the form to ask for a new link. */
export function linkForm(request: AppRequest): Response {
  return renderLinkForm(request, {}, {}, 200);
}

function renderLinkForm(request: AppRequest, fields: Fields, errors: FieldErrors, status: number): Response {
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
    { status },
  );
}

/** A link is worth having while one can still sign up or submit. */
function linkRecoveryOpen(config: Config, now = Date.now()): boolean {
  return isOpen(config.registration, now) || isOpen(config.submission, now);
}

function checkInbox(request: AppRequest, message: string): Response {
  const { config } = request;
  if (wantsJson(request)) return json({ status: "check_inbox", message }, 202);
  return renderPage(request, config, PAGES.checkInbox, {
    title: "Check your inbox",
    text: { message },
    show: { development: config.environment === "development" },
  });
}

async function renderLanding(
  request: AppRequest,
  env: Env,
  fields: Fields,
  errors: FieldErrors,
  status: number,
): Promise<Response> {
  const { config } = request;
  const now = Date.now();
  const pool = await prizeSnapshot(env, config.prizePool);
  const registrationOpen = isOpen(config.registration, now);
  // The widget sits in the signup form, which is shown only while registration is open.
  const widgetOn = config.turnstile !== null && registrationOpen;
  return renderPage(
    request,
    config,
    PAGES.landing,
    {
      title: config.contestName,
      text: {
        prizePool: pool.total,
        prizesLeft: pool.remaining,
        policy: config.awardPolicy === "first_come" ? "The first valid submissions win" : "Judges pick the most innovative entries",
      },
      times: windowTimes(config),
      // Only what the visitor typed goes back into the form, never a stored value.
      fields: {
        firstname: fields.firstname,
        lastname: fields.lastname,
        email: fields.email,
        accept_rules: fields.accept_rules,
      },
      errors,
      html: { turnstile: turnstileWidget(config) },
      show: {
        turnstile: config.turnstile !== null,
        registrationOpen,
        registrationNotYet: now < config.registration.opens,
        registrationOver: now >= config.registration.closes,
        linkRecovery: linkRecoveryOpen(config, now),
        judged: config.awardPolicy === "judged",
        firstCome: config.awardPolicy === "first_come",
      },
    },
    {
      status,
      headers: status === 200 ? { "cache-control": "public, max-age=60" } : {},
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
