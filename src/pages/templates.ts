import { escapeHtml } from "../html";
import { PRODUCTS } from "../schemas/products";
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

/** Puts a page's body into the shared shell (inline CSS and script): one document per page. */
function page(body: string): string {
  return shell.replace("<!--page-->", body);
}

const productChoices = PRODUCTS.map(
  (product) =>
    `<label class="check"><input type="checkbox" name="products" value="${escapeHtml(product.id)}"> <span>${escapeHtml(product.label)}</span></label>`,
).join("\n");

/** Every page, composed once per isolate from the static HTML files. */
export const PAGES = {
  landing: page(landing),
  rules: page(rules),
  checkInbox: page(checkInbox),
  link: page(link),
  login: page(login),
  admin: page(admin),
  shipping: page(shipping),
  submit: page(submit.replace("<!--products-->", productChoices)),
  submitted: page(submitted),
  error: page(error),
  mailbox: page(mailbox),
  emails: page(emails),
};
