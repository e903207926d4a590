import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { loadConfig, type Config } from "../../src/config";
import type { Env } from "../../src/env";
import { formatUtc, renderEmail } from "../../src/email/templates";
import type { EmailJob, EmailTemplate } from "../../src/schemas/email-job";

const HOSTILE_NAME = "<img src=x onerror=alert(1)>";
const HOSTILE_CONTEST = `<script>alert("contest")</script> & Co`;
const HOLD_EXPIRES = Date.UTC(2027, 2, 14, 17, 5);

function config(vars: Partial<Env> = {}): Config {
  const loaded = loadConfig({ ...env, ...vars });
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.problems));
  return loaded.config;
}

/** One job per template, every entrant-supplied value hostile; the type makes a new template need one. */
function hostileJobs(): { [T in EmailTemplate]: Extract<EmailJob, { template: T }> } {
  const entrant = { to: "ada@example.com", firstname: HOSTILE_NAME, code: `${"a".repeat(64)}.x"><script>alert(2)</script>` };
  const named = { to: entrant.to, firstname: entrant.firstname };
  return {
    registration: { template: "registration", key: "k1", ...entrant },
    link_resent: { template: "link_resent", key: "k2", ...entrant },
    submission_received: { template: "submission_received", key: "k3", ...entrant, version: 2, title: `"><script>alert(3)</script>` },
    prize_won: { template: "prize_won", key: "k4", ...entrant, slot: 7, holdExpiresAt: HOLD_EXPIRES },
    shipping_reminder: { template: "shipping_reminder", key: "k5", ...entrant, holdExpiresAt: HOLD_EXPIRES },
    hold_expired: { template: "hold_expired", key: "k6", ...named },
    shipping_confirmed: { template: "shipping_confirmed", key: "k7", ...named, summary: "<b onmouseover=alert(4)>10 Downing St</b>", tshirtSize: "<i>M" },
    shipped: { template: "shipped", key: "k8", ...named, trackingUrl: `https://track.example.com/p?id="><script>alert(5)</script>` },
    disqualified: { template: "disqualified", key: "k9", ...named },
    prize_revoked: { template: "prize_revoked", key: "k12", ...named, reason: `<script>alert(6)</script> & "copied"` },
    waitlist_promoted: { template: "waitlist_promoted", key: "k13", ...entrant, slot: 9, holdExpiresAt: HOLD_EXPIRES },
    announcement: {
      template: "announcement",
      key: "k14",
      ...named,
      subject: `"><script>alert(7)</script>`,
      body: `Hello <script>alert(8)</script> <img src=x onerror=alert(9)>\n\n[click](javascript:alert(10)) [data](data:text/html,x) [ok](https://example.com/ok)`,
      unsubscribeUrl: `https://swagbox.example.com/unsubscribe?id=${"a".repeat(64)}&sig="><script>`,
    },
  };
}

/** The elements the layout itself uses; any other tag in an email came from a value. */
const LAYOUT_TAGS = new Set(["html", "head", "meta", "title", "body", "table", "tr", "td", "p", "a"]);

const LAYOUT_ATTRIBUTES = new Set(["lang", "charset", "name", "content", "role", "width", "cellspacing", "cellpadding", "border", "style", "align", "href"]);

/** The tags and attribute names of a document (attribute values are quoted, escaped text). */
function markup(html: string): { tags: string[]; attributes: string[] } {
  const tags: string[] = [];
  const attributes: string[] = [];
  for (const [, tag, rest] of html.matchAll(/<\/?([a-z][a-z0-9]*)([^>]*)>/gi)) {
    tags.push(tag!.toLowerCase());
    for (const [, attribute] of rest!.matchAll(/\s([^\s=>"']+)(?:="[^"]*")?/g)) attributes.push(attribute!.toLowerCase());
  }
  return { tags, attributes };
}

const jobs = Object.values(hostileJobs());

describe("email templates", () => {
  it.each(jobs)("$template renders both parts with every value escaped in HTML", (job) => {
    const email = renderEmail(job, config({ CONTEST_NAME: HOSTILE_CONTEST }));
    expect(email.subject).not.toBe("");
    // An announcement's subject is the organisers' own; the others name the contest.
    expect(email.subject).toContain(job.template === "announcement" ? job.subject : HOSTILE_CONTEST);

    const { tags, attributes } = markup(email.html);
    expect(tags.filter((tag) => !LAYOUT_TAGS.has(tag))).toEqual([]);
    expect(attributes.filter((attribute) => !LAYOUT_ATTRIBUTES.has(attribute))).toEqual([]);
    expect(email.html).toContain("Hi &lt;img src=x onerror=alert(1)&gt;,");
    expect(email.html).toContain("&lt;script&gt;alert(&quot;contest&quot;)&lt;/script&gt; &amp; Co");

    // The text part is plain text: values appear as they are.
    expect(email.text).toContain(`Hi ${HOSTILE_NAME},`);
    expect(email.text).toContain(HOSTILE_CONTEST);
  });

  it.each(jobs.filter((job) => job.template !== "announcement"))("$template carries the brand colour and a transactional footer without unsubscribe", (job) => {
    const email = renderEmail(job, config({ BRAND_COLOR: "#1A2B3C" }));
    expect(email.html).toContain("#1a2b3c");
    for (const part of [email.text, email.html]) {
      expect(part).toContain("It is a transactional message about your entry.");
      expect(part.toLowerCase()).not.toContain("unsubscribe");
    }
  });

  it("links to the submission form in the link and receipt emails, with the code encoded", () => {
    const { publicUrl } = config();
    for (const job of [hostileJobs().registration, hostileJobs().link_resent, hostileJobs().submission_received]) {
      const link = `${publicUrl}/submit?code=${encodeURIComponent(job.code)}`;
      const email = renderEmail(job, config());
      expect(email.text).toContain(link);
      expect(email.html).toContain(`href="${link}"`);
      expect(email.text).not.toContain("/shipping?code=");
    }
  });

  it("links to the shipping form in the prize and reminder emails, and names the hold's end in UTC", () => {
    const { publicUrl } = config();
    for (const job of [hostileJobs().prize_won, hostileJobs().shipping_reminder]) {
      const link = `${publicUrl}/shipping?code=${encodeURIComponent(job.code)}`;
      const email = renderEmail(job, config());
      expect(email.text).toContain(link);
      expect(email.html).toContain(`href="${link}"`);
      expect(email.text).toContain("Sunday 14 March 2027, 17:05 UTC");
      expect(email.text).not.toContain("/submit?code=");
    }
  });

  it("gives no code link in the emails about a hold ending, an address or a parcel", () => {
    const { hold_expired, shipping_confirmed, shipped } = hostileJobs();
    for (const job of [hold_expired, shipping_confirmed, shipped]) {
      expect(renderEmail(job, config()).text).not.toContain("?code=");
    }
    expect(renderEmail(shipping_confirmed, config()).text).toContain("<b onmouseover=alert(4)>10 Downing St</b>");
  });

  it("tells a winner where prizes ship, and a promoted one that they moved up from the waitlist", () => {
    const won = renderEmail(hostileJobs().prize_won, config({ SHIP_TO: "GB,IE" }));
    expect(won.text).toContain("Prizes ship only to: Ireland, United Kingdom.");
    const promoted = renderEmail(hostileJobs().waitlist_promoted, config());
    expect(promoted.subject).toContain("moved up from the");
    expect(promoted.text).toContain("you were next on the waitlist");
    expect(promoted.text).toContain(`/shipping?code=${encodeURIComponent(hostileJobs().waitlist_promoted.code)}`);
  });

  it("says how to correct the address, and the T-shirt size, when the address is received", () => {
    const email = renderEmail(hostileJobs().shipping_confirmed, config());
    expect(email.text).toContain("T-shirt size: <i>M.");
    expect(email.text).toContain("Open the link in your prize email again and correct it");
    expect(email.html).toContain("T-shirt size: &lt;i&gt;M.");
    const before = renderEmail({ ...hostileJobs().shipping_confirmed, tshirtSize: null }, config());
    expect(before.text).not.toContain("T-shirt size");
  });

  it("tells the entrant a prize was revoked politely, with the reason only when one was given", () => {
    const withReason = renderEmail(hostileJobs().prize_revoked, config());
    expect(withReason.text).toContain(`The organisers' reason: <script>alert(6)</script> & "copied"`);
    expect(withReason.html).toContain("&lt;script&gt;alert(6)&lt;/script&gt; &amp; &quot;copied&quot;");
    expect(withReason.text).toContain("We are sorry");
    const without = renderEmail({ ...hostileJobs().prize_revoked, reason: null }, config());
    expect(without.text).toContain("The organisers gave no further reason.");
  });

  it("gives an announcement its unsubscribe link, in both parts and as one-click List-Unsubscribe headers", () => {
    const job = { ...hostileJobs().announcement, unsubscribeUrl: `https://swagbox.example.com/unsubscribe?id=${"a".repeat(64)}&sig=abc` };
    const email = renderEmail(job, config());
    expect(email.headers).toEqual({ "List-Unsubscribe": `<${job.unsubscribeUrl}>`, "List-Unsubscribe-Post": "List-Unsubscribe=One-Click" });
    expect(email.text).toContain(`Stop the announcements: ${job.unsubscribeUrl}`);
    expect(email.html).toContain(`href="https://swagbox.example.com/unsubscribe?id=${"a".repeat(64)}&amp;sig=abc"`);
    expect(email.text).not.toContain("transactional message");
    // The organisers' Markdown: as written in the text part, rendered inert in HTML.
    expect(email.text).toContain("[click](javascript:alert(10))");
    expect(email.html).toContain("Hello &lt;script&gt;alert(8)&lt;/script&gt; &lt;img src=x onerror=alert(9)&gt;");
    expect(email.html).toContain('<a href="https://example.com/ok">ok</a>');
    expect(email.html).not.toMatch(/href="(javascript|data):/);
    for (const transactional of jobs.filter((j) => j.template !== "announcement")) expect(renderEmail(transactional, config()).headers).toEqual({});
  });

  it("links a tracking URL only when it is http(s)", () => {
    const { shipped } = hostileJobs();
    const tracked = renderEmail({ ...shipped, trackingUrl: "https://track.example.com/p/1Z999" }, config());
    expect(tracked.html).toContain('href="https://track.example.com/p/1Z999"');
    expect(tracked.text).toContain("Track your parcel: https://track.example.com/p/1Z999");

    for (const trackingUrl of ["javascript:alert(1)", "not a url", null]) {
      const email = renderEmail({ ...shipped, trackingUrl }, config());
      expect(email.html).not.toContain("javascript:");
      expect(email.text).not.toContain("Track your parcel");
      expect(email.text).toContain("no tracking link");
    }
  });

  it("greets an entrant without a first name plainly", () => {
    const email = renderEmail({ ...hostileJobs().hold_expired, firstname: "  " }, config());
    expect(email.text.startsWith("Hi,\n\n")).toBe(true);
  });

  it("puts text that reads well on the brand colour on its buttons", () => {
    const button = (brand: string) => /background:#[0-9a-f]{6};color:(#[0-9a-f]{6})/.exec(renderEmail(hostileJobs().registration, config({ BRAND_COLOR: brand })).html)?.[1];
    expect(button("#f6821f")).toBe("#000000");
    expect(button("#003366")).toBe("#ffffff");
  });

  it("formats instants in UTC, naming the zone", () => {
    expect(formatUtc(Date.UTC(2030, 11, 31, 23, 59, 59))).toBe("Tuesday 31 December 2030, 23:59 UTC");
    expect(formatUtc(Date.UTC(2027, 0, 1, 0, 0))).toBe("Friday 1 January 2027, 00:00 UTC");
  });
});
