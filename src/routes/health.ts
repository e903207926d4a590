import { isOpen, loadConfig } from "../config";
import type { Env } from "../env";
import { json } from "../http/negotiate";

/** GET /healthz — 200 when the Worker runs and its configuration is valid, else 503 naming each bad variable. */
export function health(_request: Request, env: Env): Response {
  const loaded = loadConfig(env);
  if (!loaded.ok) return json({ status: "misconfigured", problems: loaded.problems }, 503);
  const { config } = loaded;
  return json({
    status: "ok",
    environment: config.environment,
    contest: config.contestName,
    emailProvider: config.emailProvider,
    registrationOpen: isOpen(config.registration),
    submissionOpen: isOpen(config.submission),
  });
}
