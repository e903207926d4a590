import * as v from "valibot";
import { closedMessage, isOpen } from "../config";
import type { Env } from "../env";
import { readFields } from "../http/body";
import { HttpError, type FieldErrors } from "../http/errors";
import { json, wantsJson } from "../http/negotiate";
import { invalidFields, seeOther } from "../http/respond";
import type { Config } from "../config";
import type { LinkInfo } from "../objects/link-codes";
import type { Prize, Profile } from "../objects/registrant";
import { policySentence } from "../pages/contest-text";
import { renderPage } from "../pages/page";
import { PAGES } from "../pages/templates";
import { fieldErrors } from "../schemas/fields";
import type { LinkCode } from "../schemas/link-code";
import { PRODUCT_RULE, productLabel } from "../schemas/products";
import { SubmissionForm, type SubmissionVersion } from "../schemas/submission";
import { BANNED_MESSAGE } from "../schemas/bans";
import type { AppRequest } from "./context";
import { parseLinkCode, registrantFor } from "./link-codes";
import { prizeSnapshot } from "./prizes";
import { windowTimes } from "./public";

const UNKNOWN_CODE = "This submission link is not valid. It may be mistyped, or retired since you opened a newer link.";

/** GET /submit?code=… — the entrant's form, filled with their latest version if any. */
export async function showSubmission(request: AppRequest, env: Env): Promise<Response> {
  const code = parseLinkCode(request.query.code, UNKNOWN_CODE);
  const described = await registrantFor(env, code, UNKNOWN_CODE).describe(code.secret);
  if (!described.ok) throw new HttpError(404, "unknown_code", UNKNOWN_CODE);
  if (wantsJson(request)) {
    const { email, firstname, lastname } = described.profile;
    return json({
      registrant: { email, firstname, lastname },
      submission: described.latest,
      awardPolicy: request.config.awardPolicy,
      prize: described.prize,
      link: { issuedAt: described.link.issuedAt, newest: described.link.newest, newestIssuedAt: described.link.newestIssuedAt },
      disqualified: described.disqualified,
    });
  }
  const latest = described.latest;
  // ?saved=<version>: the entrant lands here after saving (post/redirect/get).
  const saved = latest !== null && request.query.saved === String(latest.version);
  return renderForm(request, env, described, code, latest ? { ...latest } : {}, {}, 200, saved);
}

/**
 * POST /submit — the first post is the submission (201), each later one an amendment (200),
 * until the submission window closes. Checks run before anything is stored: code format,
 * window, fields; then the Registrant object checks the secret and stores the version.
 */
export async function submit(request: AppRequest, env: Env): Promise<Response> {
  const { config } = request;
  const body = await readFields(request, config.maxBodyBytes);
  const code = parseLinkCode(body.code, UNKNOWN_CODE);
  if (!isOpen(config.submission)) throw new HttpError(403, "window_closed", closedMessage(config.submission, "The submission window"));
  const registrant = registrantFor(env, code, UNKNOWN_CODE);

  const parsed = v.safeParse(SubmissionForm, body);
  if (!parsed.success) {
    const described = await registrant.describe(code.secret);
    if (!described.ok) throw new HttpError(404, "unknown_code", UNKNOWN_CODE);
    return invalidFields(request, fieldErrors(parsed.issues), (errors) =>
      renderForm(request, env, described, code, body, errors, 422),
    );
  }
  const result = await registrant.submit(code.secret, parsed.output);
  if (!result.ok && result.reason === "banned") throw new HttpError(403, "banned", BANNED_MESSAGE);
  if (!result.ok) throw new HttpError(404, "unknown_code", UNKNOWN_CODE);

  const first = result.version === 1;
  if (wantsJson(request)) {
    return json(
      { status: first ? "submitted" : "amended", version: result.version, awardPolicy: config.awardPolicy, prize: result.prize, disqualified: result.disqualified },
      first ? 201 : 200,
    );
  }
  // Post/redirect/get: the form's page, saying it was saved, at an address that reloads it.
  return seeOther(`${submitPath(code)}&saved=${result.version}`);
}

/** The form's page; its policy sentence counts the pool as the landing page does (the KV snapshot). */
async function renderForm(
  request: AppRequest,
  env: Env,
  { profile, latest, prize, link, disqualified }: { profile: Profile; latest: SubmissionVersion | null; prize: Prize | null; link: LinkInfo; disqualified: boolean },
  code: LinkCode,
  fields: Record<string, unknown>,
  errors: FieldErrors,
  status: number,
  saved = false,
): Promise<Response> {
  const { config } = request;
  const now = Date.now();
  const pool = await prizeSnapshot(env, config.prizePool);
  const prizeShown = prizeView(config, pool.total, prize, latest !== null, disqualified);
  const heading = saved ? (latest?.version === 1 ? "Submission received" : "Amendment saved") : latest ? "Your submission" : "Submit your project";
  return renderPage(
    request,
    config,
    PAGES.submit,
    {
      title: heading,
      text: {
        heading,
        fullName: `${profile.firstname} ${profile.lastname}`,
        email: profile.email,
        version: latest?.version ?? "",
        action: latest ? "Save amendment" : "Submit project",
        productHint: `— ${productLabel(PRODUCT_RULE.required)} and at least ${PRODUCT_RULE.atLeast - 1} more`,
        ...prizeShown.text,
      },
      times: { ...windowTimes(config), ...(latest && { submittedAt: latest.submittedAt }), newestLinkIssuedAt: link.newestIssuedAt },
      fields: { ...fields, code: `${code.registrantId}.${code.secret}` },
      errors,
      // The form posts to its own page's address, so that a page answered with errors reloads as the form.
      attributes: { formAction: { action: submitPath(code) } },
      show: {
        saved,
        hasSubmission: latest !== null,
        olderLink: !link.newest,
        submissionOpen: isOpen(config.submission, now),
        submissionNotYet: now < config.submission.opens,
        submissionOver: now >= config.submission.closes,
        ...prizeShown.show,
      },
    },
    { status },
  );
}

/** What the pages say about the award policy and the entrant's place in the pool. */
function prizeView(config: Config, pool: number, prize: Prize | null, submitted: boolean, disqualified: boolean) {
  return {
    text: { policy: policySentence(config, pool), slot: prize?.slot ?? "", position: prize?.position ?? "" },
    show: {
      awarded: prize?.status === "awarded",
      provisional: prize?.status === "provisional",
      released: prize?.status === "released",
      waitlisted: prize?.status === "waitlisted",
      claimPending: config.awardPolicy === "first_come" && submitted && prize === null && !disqualified,
      disqualified,
    },
  };
}

function submitPath(code: LinkCode): string {
  return `/submit?code=${encodeURIComponent(`${code.registrantId}.${code.secret}`)}`;
}
