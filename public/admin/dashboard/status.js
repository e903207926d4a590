// @ts-check
/** The dashboard's one polite live region: what just happened, said once. */
import { $, setText } from "./dom.js";

/**
 * Shows `message` in the status line (and screen readers announce it).
 * @param {string} message
 * @param {"good" | "bad"} [tone]
 */
export function say(message, tone) {
  const line = $("#status");
  setText(line, message);
  line.className = `status${tone ? ` ${tone}` : ""}`;
}
