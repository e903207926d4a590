import { escapeHtml } from "../html";
import { PRODUCTS } from "../schemas/products";
import { pageSecurity, type PageNeeds, type PageSecurity } from "./content-security";
import admin from "./admin.html";
import checkInbox from "./check-inbox.html";
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
import submitted from "./submitted.html";

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

/** Every page, composed once per isolate from the static HTML files. */
export const PAGES = {
  landing: page(landing, { live: true }),
  rules: page(rules),
  checkInbox: page(checkInbox),
  link: page(link),
  login: page(login),
  admin: page(admin, { live: true, scriptFolders: ["/admin/dashboard/"] }),
  shipping: page(shipping),
  submit: page(submit.replace("<!--products-->", productChoices)),
  submitted: page(submitted),
  error: page(error),
  mailbox: page(mailbox),
  emails: page(emails),
};
