import { Router } from "itty-router";
import { loadConfig } from "../config";
import { HttpError } from "../http/errors";
import { respondToError } from "../http/respond";
import { withSecurityHeaders } from "../http/security-headers";
import type { AppRequest, RouterArgs } from "./context";
import { adminRouter } from "./admin";
import { login, loginPage, logout } from "./admin-session";
import { emailPreview, emailPreviews, mailbox } from "./dev";
import { health } from "./health";
import { live, prizeLog, prizes } from "./prizes";
import { checkInboxPage, landing, linkForm, requestLink, rules, signup, signupForm } from "./public";
import { erasedPage, eraseMyData } from "./privacy";
import { giveAddress, setShowcase, showShipping } from "./shipping";
import { confirmUnsubscribe, unsubscribePage } from "./unsubscribe";
import { showSubmission, submit } from "./submission";
import { winners } from "./winners";

/** Every route that needs a valid configuration gets it on `request.config`; /healthz reports a bad one. */
function withConfig(request: AppRequest, ...[env]: RouterArgs): void {
  const loaded = loadConfig(env);
  if (loaded.ok) {
    request.config = loaded.config;
  } else if (new URL(request.url).pathname !== "/healthz") {
    // Which variable is wrong is for operators (/healthz and the log), not for visitors.
    const problems = loaded.problems.map((p) => `${p.variable}: ${p.message}`).join("; ");
    throw new HttpError(503, "misconfigured", "Swagbox is misconfigured.").because(problems);
  }
}

export const router = Router<AppRequest, RouterArgs>({
  before: [withConfig],
  catch: (error, request) => respondToError(error, request, (request as Partial<AppRequest>).config ?? null),
  finally: [withSecurityHeaders],
})
  .get("/healthz", health)
  .get("/", landing)
  .get("/rules", rules)
  .get("/winners", winners)
  .get("/signup", signupForm)
  .post("/signup", signup)
  .get("/check-inbox", checkInboxPage)
  .get("/link", linkForm)
  .post("/link", requestLink)
  .get("/submit", showSubmission)
  .post("/submit", submit)
  .get("/shipping", showShipping)
  .post("/shipping", giveAddress)
  .post("/shipping/showcase", setShowcase)
  .post("/privacy/erase", eraseMyData)
  .get("/privacy/erased", erasedPage)
  .get("/unsubscribe", unsubscribePage)
  .post("/unsubscribe", confirmUnsubscribe)
  .get("/live", live)
  .get("/api/prizes", prizes)
  .get("/api/prizes/log", prizeLog)
  .get("/dev/mailbox", mailbox)
  .get("/dev/emails", emailPreviews)
  .get("/dev/emails/:template", emailPreview)
  .get("/admin/login", loginPage)
  .post("/admin/login", login)
  .post("/admin/logout", logout)
  .all("/admin", adminRouter.fetch)
  .all("/admin/*", adminRouter.fetch)
  .all("*", () => {
    throw new HttpError(404, "not_found", "There is no page here.");
  });
