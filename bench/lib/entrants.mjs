/**
 * Entrants made the way real ones are: POST /signup, the link from the email the provider
 * received, POST /submit. Used by the award storm and the live fan-out.
 */
import { check, FORM, ORGANISER, pool, signupBody, until } from "./harness.mjs";

const CODE = /\/submit\?code=([0-9a-f]{64}\.[A-Za-z0-9_-]+)/;

async function post(url, body) {
  const response = await fetch(url, { method: "POST", body, headers: { accept: "application/json", "content-type": FORM } });
  await response.arrayBuffer();
  return response.status;
}

export async function indexStats(swagbox) {
  const response = await fetch(`${swagbox.url}/admin/api/stats`, { headers: ORGANISER });
  check(response.ok, `GET /admin/api/stats answered ${response.status}`);
  return response.json();
}

/** The address of entrant `i` of createEntrants. */
export const entrantEmail = (i, domain) => `e${i}@${domain}`;

/**
 * Signs up and submits `n` entrants (entrantEmail(i, domain), the domain `<tag>.entrant.bench`
 * unless given), `concurrency` at a time; resolves with their registrant ids once the
 * judges' index lists them as submitted (the award route looks them up there).
 */
export async function createEntrants(swagbox, stub, n, tag, { concurrency = 20, domain = `${tag}.entrant.bench` } = {}) {
  const submittedBefore = (await indexStats(swagbox)).byStatus.submitted;
  const email = (i) => entrantEmail(i, domain);
  const signups = await pool(n, concurrency, (i) => post(`${swagbox.url}/signup`, signupBody(email(i), `Entrant${i}`, "Bench")));
  check(signups.every((s) => s === 202), `entrant signups answered ${[...new Set(signups)].join(", ")}`);
  const codes = await pool(n, concurrency, (i) =>
    until(`the link emailed to ${email(i)}`, async () => {
      const emails = await stub.emails(email(i));
      return emails.map((e) => CODE.exec(e.text)?.[1]).find(Boolean);
    }, 120_000, 200),
  );
  const submits = await pool(n, concurrency, (i) => {
    const form = new URLSearchParams({
      code: codes[i],
      title: `Project ${i} of ${tag}`,
      description: `A bench project that keeps ${i} boxes of swag on the edge.`,
      repo_url: `https://github.com/bench/${tag}-${i}`,
      demo_url: `https://${tag}-${i}.example.com/`,
      confirm_original: "on",
    });
    form.append("products", "workers");
    form.append("products", "kv");
    return post(`${swagbox.url}/submit`, form.toString());
  });
  check(submits.every((s) => s === 201), `entrant submissions answered ${[...new Set(submits)].join(", ")}`);
  await until(`${n} submitted entries in the judges' index`, async () => (await indexStats(swagbox)).byStatus.submitted >= submittedBefore + n, 120_000, 250);
  return codes.map((code) => code.split(".")[0]);
}
