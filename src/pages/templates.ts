import { escapeHtml } from "../html";
import { PRODUCTS } from "../schemas/products";
import { pageSecurity, type PageNeeds, type PageSecurity } from "./content-security";
import admin from "./admin.html";
import checkInbox from "./check-inbox.html";
import dates from "./dates.html";
import emails from "./emails.html";
import error from "./error.html";
import landing from "./landing.html";
import link from "./link.html";
import login from "./login.html";
import mailbox from "./mailbox.html";
import rules from "./rules.html";
import shipping from "./shipping.html";
import shell from "./shell.html";
import submit from "./submit.html";
import unsubscribe from "./unsubscribe.html";
import winners from "./winners.html";

/** A composed page: its markup and what its Content-Security-Policy allows. */
export interface Page {
  html: string;
  security: PageSecurity;
}

/**
 * Puts a page's body into the shared shell (inline CSS and script): one document per page,
 * with the hashes of its inline scripts and styles.
 */
function page(body: string, needs?: PageNeeds): Page {
  const html = shell.replace("<!--page-->", body);
  return { html, security: pageSecurity(html, needs) };
}

const productChoices = PRODUCTS.map(
  (product) =>
    `<label class="check"><input type="checkbox" name="products" value="${escapeHtml(product.id)}"> <span>${escapeHtml(product.label)}</span></label>`,
).join("\n");

/** The prize's default picture: a box, drawn inline so that the page needs no request for it. */
const ILLUSTRATION = `<svg viewBox="0 0 96 64" aria-hidden="true"><rect width="96" height="64" fill="#fff3e6"/><rect x="26" y="24" width="44" height="30" rx="3" fill="#f6821f"/><rect x="22" y="17" width="52" height="10" rx="2" fill="#fbad41"/><rect x="45" y="17" width="6" height="37" fill="#fff" opacity=".8"/><path d="M48 17c-6-9-16-9-14-3 1 3 8 3 14 3 6 0 13 0 14-3 2-6-8-6-14 3z" fill="none" stroke="#8a3d00" stroke-width="2"/></svg>`;

/** Every page, composed once per isolate from the static HTML files. */
export const PAGES = {
  landing: page(landing.replace("<!--dates-->", dates).replace("<!--illustration-->", ILLUSTRATION), { live: true }),
  rules: page(rules.replace("<!--dates-->", dates)),
  winners: page(winners),
  unsubscribe: page(unsubscribe),
  checkInbox: page(checkInbox),
  link: page(link),
  login: page(login),
  // The dashboard's scripts and styles are static files, outside the Worker's bundle.
  admin: page(admin, { live: true, scriptFolders: ["/admin/dashboard/"], styleFolders: ["/admin/dashboard/"] }),
  shipping: page(shipping),
  submit: page(submit.replace("<!--products-->", productChoices)),
  error: page(error),
  mailbox: page(mailbox),
  emails: page(emails),
};
